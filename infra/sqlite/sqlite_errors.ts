/**
 * Which SQLite failures a retry can fix: another writer holding the lock past the busy timeout
 * (SQLITE_BUSY, SQLITE_LOCKED), I/O errors (SQLITE_IOERR and its extended codes) and a full disk
 * (SQLITE_FULL). None of them is bad input: dead-lettering would lose events that a retry stores
 * once the lock is free, the disk answers again or there is space.
 */
import { InfrastructureError } from "../../core/errors.ts";

/** Primary result codes (the low byte of an extended code): BUSY, LOCKED, IOERR, FULL. */
const RETRIABLE_CODES = new Set([5, 6, 10, 13]);

/** `error` as a retriable `InfrastructureError` when a retry can fix it, else unchanged. */
export function sqliteError(error: unknown, what: string): unknown {
  const code = (error as { errcode?: unknown })?.errcode;
  if (typeof code !== "number" || !RETRIABLE_CODES.has(code & 0xff)) return error;
  return new InfrastructureError(`SQLite ${what} failed: ${(error as Error).message}`, {
    retriable: true,
    cause: error,
  });
}
