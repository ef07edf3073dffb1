/**
 * The `WebhookSender` port: one HTTP POST of a signed body, as the dispatcher sees it. The infra
 * adapter (fetch with a timeout, redirects not followed, address checks) never throws: every
 * failure is an `AttemptOutcome` with an `error`, which the retry schedule handles like a 5xx.
 */
import type { AttemptOutcome } from "./retry_schedule.ts";

export interface WebhookRequest {
  url: string;
  /** The Standard Webhooks headers and the content type. */
  headers: Record<string, string>;
  body: string;
  /** Aborted when the dispatcher stops. */
  signal?: AbortSignal;
}

export interface WebhookSender {
  send(request: WebhookRequest): Promise<AttemptOutcome>;
}
