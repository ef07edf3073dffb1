/**
 * @module
 * Webhook adapters (design §9): the SQL `WebhookStore` (SQLite and PostgreSQL, in the user
 * database), the AES-256-GCM secret box and its key, the SSRF guard for target URLs, the fetch
 * sender, and `openWebhooks`, which builds them all from configuration.
 *
 * ```ts
 * import { openWebhooks } from "./mod.ts";
 * const webhooks = await openWebhooks(config); // store, secrets, checkUrl, sender
 * ```
 */
export { openWebhooks, type Webhooks } from "./open_webhooks.ts";
export { createSqlWebhookStore, webhookMigrations } from "./sql_webhook_store.ts";
export { createSecretBox, decodeSecretKey, loadSecretKey } from "./secret_box.ts";
export {
  blockedAddress,
  checkWebhookUrl,
  type ResolveHost,
  resolveWithDns,
  type UrlCheckOptions,
} from "./address_guard.ts";
export { createHttpWebhookSender, type HttpSenderOptions } from "./http_sender.ts";
