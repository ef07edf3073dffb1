/**
 * Which SQLite failures a retry can fix: another writer holding the lock past the busy timeout
 * (SQLITE_BUSY, SQLITE_LOCKED), I/O errors (SQLITE_IOERR and its extended codes) and a full disk
 * (SQLITE_FULL). None of them is bad input: dead-lettering would lose events that a retry stores
 * once the lock is free, the disk answers again or there is space.
 */
import { InfrastructureError } from "../../core/errors.ts";

/** Primary result codes (the low byte of an extended code): BUSY, LOCKED, IOERR, FULL. */
const RETRIABLE_CODES = new Set([5, 6, 10, 13]);

/**
 * SQLite's own messages for those codes. `DatabaseSync.exec` (BEGIN, COMMIT) throws errors with
 * no `errcode` in Deno 2.9's node:sqlite, only the message: a lock held past the busy timeout at
 * `BEGIN IMMEDIATE` or an I/O error at `COMMIT` must still count as retriable.
 */
const RETRIABLE_MESSAGES =
  /^(database is locked|database table is locked|disk I\/O error|database or disk is full)$/;

function retriableSqliteFailure(error: unknown): boolean {
  const { errcode, code, message } = (error ?? {}) as {
    errcode?: unknown;
    code?: unknown;
    message?: unknown;
  };
  if (typeof errcode === "number") return RETRIABLE_CODES.has(errcode & 0xff);
  return code === "ERR_SQLITE_ERROR" && typeof message === "string" && RETRIABLE_MESSAGES.test(message);
}

/** `error` as a retriable `InfrastructureError` when a retry can fix it, else unchanged. */
export function sqliteError(error: unknown, what: string): unknown {
  if (!retriableSqliteFailure(error)) return error;
  return new InfrastructureError(`SQLite ${what} failed: ${(error as Error).message}`, {
    retriable: true,
    cause: error,
  });
}
