/**
 * `compose.yaml` as the tests read it: parsed with YAML merge keys (`<<: *aiot`) and compose's
 * variable interpolation (`${VAR}`, `${VAR:-default}`, `${VAR:?error}`, `$$` for a literal `$`)
 * against a given environment, so the native topology test starts what compose would.
 */
import { parse } from "yaml";

export const COMPOSE_FILE: URL = new URL("../../compose.yaml", import.meta.url);
/** The repository root: compose's build context and the image's /app. */
export const REPO_ROOT: string = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition?: string }> | string[];
  volumes?: string[];
  ports?: string[];
  networks?: Record<string, { ipv4_address?: string } | null> | string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

/** Compose's interpolation of one string value. */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name?: string, colon?: string, op?: string, word = "", bare?: string) => {
      if (match === "$$") return "$";
      if (bare) return env[bare] ?? "";
      const set = env[name!];
      const missing = set === undefined || (colon === ":" && set === "");
      if (op === "-") return missing ? interpolate(word, env) : set!;
      if (op === "?" && missing) throw new TypeError(`compose.yaml needs ${name}: ${word}`);
      return set ?? "";
    },
  );
}

function interpolateAll(node: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof node === "string") return interpolate(node, env);
  if (Array.isArray(node)) return node.map((item) => interpolateAll(item, env));
  if (node && typeof node === "object") {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateAll(v, env)]));
  }
  return node;
}

/** Reads and interpolates compose.yaml; throws like compose when a required variable is unset. */
export async function loadCompose(env: Record<string, string | undefined>): Promise<ComposeFile> {
  const raw = parse(await Deno.readTextFile(COMPOSE_FILE), { merge: true });
  return interpolateAll(raw, env) as ComposeFile;
}

/** The services that run AIOT (the aiot:local image), by name. */
export function aiotServices(compose: ComposeFile): [string, ComposeService][] {
  return Object.entries(compose.services).filter(([, s]) => s.image === "aiot:local");
}

/** A service's environment as strings. */
export function environmentOf(service: ComposeService): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [k, v === null ? "" : String(v)]),
  );
}
