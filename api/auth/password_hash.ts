/** The hash for user passwords: the deployment's (costlier than device tokens), else `hashSecret`. */
import type { AppDeps } from "../deps.ts";

export function hashPasswordOf(deps: Pick<AppDeps, "hashSecret" | "hashPassword">) {
  return deps.hashPassword ?? deps.hashSecret;
}
