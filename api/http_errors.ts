/**
 * The HTTP-only failures of the API, in the same family as `core/errors.ts` so the one `onError`
 * maps every error the same way: missing or bad credentials (401), a role that may not or a
 * cross-origin write (403), a body that is not JSON (415), and too many login attempts (429, with
 * the seconds to wait).
 */
import { AiotError } from "../core/errors.ts";

export class UnauthorizedError extends AiotError {
  readonly code = "unauthorized";
  readonly status = 401;
}

export class ForbiddenError extends AiotError {
  readonly code = "forbidden";
  readonly status = 403;
}

export class UnsupportedMediaTypeError extends AiotError {
  readonly code = "unsupported_media_type";
  readonly status = 415;
}

export class TooManyRequestsError extends AiotError {
  readonly code = "rate_limited";
  readonly status = 429;
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
