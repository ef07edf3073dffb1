/**
 * The `UserStore` port: the people and machines allowed to use the API, their sessions and API
 * tokens, and the audit log of every mutating call. Unlike the read models this is not derived
 * from the event log (passwords and token hashes must never enter it), so it is never cleared by
 * a rebuild; it may share the read models' database.
 */
import type { Role } from "./roles.ts";
import type { Page } from "../readmodels/mod.ts";

/** A stored secret: only a slow hash of it (scrypt for passwords). */
export interface PasswordHash {
  algorithm: string;
  hash: string;
}

export interface UserRecord {
  username: string;
  role: Role;
  password: PasswordHash;
  /** ISO-8601. */
  createdAt: string;
}

/**
 * A bearer credential, stored by the hash of the token. `session` tokens belong to a user (their
 * role is the user's current role) and expire; `api` tokens are named, carry their own role and
 * live until revoked.
 */
export type TokenRecord =
  | {
    kind: "session";
    hash: string;
    username: string;
    createdAt: string;
    expiresAt: string;
  }
  | {
    kind: "api";
    hash: string;
    /** Unique among API tokens; shown in the audit log as the actor `token:<name>`. */
    name: string;
    role: Role;
    createdAt: string;
    createdBy: string;
    expiresAt?: string;
  };

/** An API token as listed: never its hash. */
export type ApiTokenInfo = Omit<Extract<TokenRecord, { kind: "api" }>, "hash" | "kind">;

/** One recorded mutating call. */
export interface AuditRecord {
  /** UUIDv7, so ordering by id is ordering by time. */
  id: string;
  /** ISO-8601. */
  at: string;
  /** The user name, `token:<name>` for an API token, or `anonymous`. */
  actor: string;
  /** Method and route, e.g. `POST /api/v1/devices`. */
  action: string;
  /** The request path, naming the entity, e.g. `/api/v1/devices/d1`. */
  target: string;
  /** The HTTP status of the answer. */
  status: number;
}

export interface ListAuditOptions {
  cursor?: string;
  /** Default 50, at most 500. */
  limit?: number;
}

export interface UserStore {
  /** Creates or upgrades tables; idempotent. */
  migrate(): Promise<void>;
  /** Throws a `ConflictError` when the username is taken. */
  createUser(user: UserRecord): Promise<void>;
  getUser(username: string): Promise<UserRecord | undefined>;
  /** Users by name, ascending. */
  listUsers(): Promise<UserRecord[]>;
  /**
   * Deletes the user, its sessions and the API tokens it created (and those created with these
   * tokens, transitively: an API token carries its own role, so it would outlive the admin who
   * made it); false when there is no such user. Throws a `ConflictError` when it is the last
   * admin, checked atomically with the delete.
   */
  deleteUser(username: string): Promise<boolean>;
  /**
   * Replaces the user's password hash and ends its sessions but `keepSession` (a token hash: the
   * session that changed it), so a stolen session dies with the old password; API tokens stay.
   * False when there is no such user.
   */
  setPassword(username: string, password: PasswordHash, options?: { keepSession?: string }): Promise<boolean>;
  /** Throws a `ConflictError` when an API token of that name exists. */
  saveToken(token: TokenRecord): Promise<void>;
  findToken(hash: string): Promise<TokenRecord | undefined>;
  /** API tokens by name, ascending. */
  listApiTokens(): Promise<ApiTokenInfo[]>;
  /** Revokes the named API token; false when there is none. */
  deleteApiToken(name: string): Promise<boolean>;
  /** Revokes one token by hash (logout). */
  deleteToken(hash: string): Promise<void>;
  /** Deletes tokens whose `expiresAt` is before `now` (ISO-8601); returns how many. */
  deleteExpiredTokens(now: string): Promise<number>;
  appendAudit(record: AuditRecord): Promise<void>;
  /** Newest first. */
  listAudit(options?: ListAuditOptions): Promise<Page<AuditRecord>>;
  close(): Promise<void>;
}
