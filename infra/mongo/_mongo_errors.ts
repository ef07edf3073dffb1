/**
 * Which MongoDB driver errors mean "the server is away or busy" (retriable: the runner waits the
 * outage out) rather than "this write is wrong" (the runner dead-letters the events). Without
 * this, a MongoDB restart turned every telemetry batch it caught into dead letters.
 */
import { MongoError, MongoNetworkError, MongoServerSelectionError } from "mongodb";
import { InfrastructureError } from "../../core/errors.ts";

/**
 * Server codes a retry can fix: the driver's own retryable-read/write list (host unreachable or
 * not found, network timeout, shutdown in progress, primary stepped down, socket exception, not
 * primary, interrupted at shutdown or by a replica-set state change, exceeded time limit, read
 * concern majority not yet available) and a full disk (OutOfDiskSpace), which is not bad input.
 */
const RETRIABLE_CODES = new Set([
  6,
  7,
  89,
  91,
  134,
  189,
  262,
  9001,
  10107,
  11600,
  11602,
  13435,
  13436,
  14031,
]);

/** Labels the driver or server puts on failures that a retry can fix. */
const RETRIABLE_LABELS = ["RetryableWriteError", "TransientTransactionError", "ResetPool"];

function isRetriableMongo(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 4) return false;
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) return true;
  if (error instanceof MongoError) {
    if (RETRIABLE_LABELS.some((label) => error.hasErrorLabel(label))) return true;
    if (typeof error.code === "number" && RETRIABLE_CODES.has(error.code)) return true;
  }
  // A bulk write that failed for a driver reason keeps that error as its `errorResponse`.
  const wrapped = (error as { errorResponse?: unknown }).errorResponse;
  return isRetriableMongo(error.cause, depth + 1) ||
    (wrapped !== error && isRetriableMongo(wrapped, depth + 1));
}

/** `error` as a retriable `InfrastructureError` when a retry can fix it, else unchanged. */
export function mongoError(error: unknown, what: string): unknown {
  if (!isRetriableMongo(error)) return error;
  return new InfrastructureError(`MongoDB ${what} failed: ${(error as Error).message}`, {
    retriable: true,
    cause: error,
  });
}
