/**
 * The few error classes AIOT code throws on purpose. Each carries a stable `code` and an HTTP
 * `status` so the API maps them in one place; infrastructure errors say whether a retry can help.
 */

/** Details of one offending field, as a dotted path and a message. */
export interface FieldIssue {
  path: string;
  message: string;
}

interface AiotErrorOptions {
  cause?: unknown;
  details?: FieldIssue[];
}

/** Base class: never thrown directly. */
export abstract class AiotError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  readonly details: FieldIssue[] | undefined;

  constructor(message: string, options: AiotErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
  }
}

/** Input that does not satisfy a schema or a limit. Never retriable. */
export class ValidationError extends AiotError {
  readonly code = "validation_failed";
  readonly status = 400;
}

export class NotFoundError extends AiotError {
  readonly code = "not_found";
  readonly status = 404;
}

export class ConflictError extends AiotError {
  readonly code = "conflict";
  readonly status = 409;
}

/**
 * An engine or network failure. `retriable` says whether the same call may succeed later
 * (a broker restart, a lock timeout) or never will (bad configuration).
 */
export class InfrastructureError extends AiotError {
  readonly code = "infrastructure_failed";
  readonly status = 503;
  readonly retriable: boolean;

  constructor(message: string, options: AiotErrorOptions & { retriable: boolean }) {
    super(message, options);
    this.retriable = options.retriable;
  }
}

/** True when `error` says a retry may help (an `InfrastructureError` or any error with `retriable: true`). */
export function isRetriable(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { retriable?: unknown }).retriable === true;
}
