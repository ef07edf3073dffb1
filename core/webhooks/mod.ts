/**
 * @module
 * Webhooks (design §9): Standard Webhooks signing, the delivered body, the retry schedule as pure
 * functions, and the ports the `notify` processor and the API use (`WebhookStore`, `SecretBox`,
 * `WebhookSender`).
 *
 * ```ts
 * import { afterAttempt, signatureHeaders, webhookBody } from "./mod.ts";
 *
 * const body = webhookBody(event)!;
 * const headers = await signatureHeaders(secret, { id: event.id, timestamp: 1614265330, body });
 * const next = afterAttempt(0, { status: 500 }, { now: Date.now() }); // pending, in 5 s
 * ```
 */
export {
  generateWebhookSecret,
  SECRET_PREFIX,
  signatureHeaders,
  signWebhook,
  webhookSecretBytes,
  type WebhookSignatureHeaders,
} from "./signing.ts";
export { webhookBody, webhookEventTypes, webhookFamilies, webhookTopics } from "./payload.ts";
export {
  type AfterAttempt,
  afterAttempt,
  type AttemptOutcome,
  type AttemptRecord,
  DEFAULT_RETRY_SECONDS,
  type DeliveryStatus,
  MAX_RETRY_AFTER_MS,
  parseRetrySeconds,
  retryAfterMs,
} from "./retry_schedule.ts";
export type { NewDelivery, SecretBox, WebhookDelivery, WebhookEndpoint, WebhookStore } from "./store.ts";
export type { WebhookRequest, WebhookSender } from "./sender.ts";
