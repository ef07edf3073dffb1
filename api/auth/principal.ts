/**
 * Who is calling: the token of the request (bearer or cookie) looked up by its hash. A session
 * acts as its user with the user's current role, so deleting a user ends its sessions at once;
 * an API token acts as `token:<name>` with the role it was created with.
 */
import type { Context } from "hono";
import type { Role } from "../../core/users/roles.ts";
import type { UserStore } from "../../core/users/user_store.ts";
import { type CredentialSource, hashToken, tokenOf } from "./session_token.ts";

export interface Principal {
  /** The user name, or `token:<name>` for an API token: the `by` of events and the audit actor. */
  actor: string;
  role: Role;
  kind: "session" | "api";
  /** The hash of the presented token (logout deletes it). */
  tokenHash: string;
  /** How the token came: cookie-authenticated writes must come from an allowed origin. */
  via: CredentialSource;
}

/** The caller, or undefined when the request carries no valid, unexpired token. */
export async function authenticate(
  c: Context,
  users: UserStore,
  now: () => number,
): Promise<Principal | undefined> {
  const presented = tokenOf(c);
  if (presented === undefined || presented.token.length > 512) return undefined;
  const { token, via } = presented;
  const tokenHash = await hashToken(token);
  const record = await users.findToken(tokenHash);
  if (!record) return undefined;
  if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now()) return undefined;
  if (record.kind === "api") {
    return { actor: `token:${record.name}`, role: record.role, kind: "api", tokenHash, via };
  }
  const user = await users.getUser(record.username);
  if (!user) return undefined;
  return { actor: user.username, role: user.role, kind: "session", tokenHash, via };
}
