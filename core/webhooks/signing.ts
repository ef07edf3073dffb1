/**
 * Standard Webhooks signing (symmetric scheme, `v1`): the signature is the base64 HMAC-SHA256 of
 * `{id}.{timestamp}.{body}` keyed by the bytes of the endpoint secret, sent as
 * `webhook-signature: v1,<base64>`. Secrets are serialized `whsec_` + base64 of 24–64 random bytes.
 * WebCrypto only, so it runs anywhere (Deno, browsers, workers).
 */
import { bytesToBase64 } from "../encoding.ts";

export const SECRET_PREFIX = "whsec_";

/** Secret size: the spec asks for at least 24 bytes; 32 is a full HMAC-SHA256 block half. */
const SECRET_BYTES = 32;

/** A new endpoint secret, `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(
  random: (bytes: Uint8Array) => void = (b) => crypto.getRandomValues(b),
): string {
  const bytes = new Uint8Array(SECRET_BYTES);
  random(bytes);
  return SECRET_PREFIX + bytesToBase64(bytes);
}

/**
 * The key bytes of a `whsec_…` secret (the prefix is optional, as the reference libraries accept
 * it). Throws a `TypeError` when the rest is not base64: the message never repeats the secret.
 */
export function webhookSecretBytes(secret: string): Uint8Array<ArrayBuffer> {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  try {
    if (encoded === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new Error("not base64");
    return Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
  } catch (cause) {
    throw new TypeError("Cannot use the webhook secret: expected whsec_ followed by base64", { cause });
  }
}

/** The headers of one delivery attempt. */
export interface WebhookSignatureHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/**
 * The `v1,<base64>` signature of `body` for message `id` at `timestamp` (Unix seconds).
 * `id` and `timestamp` must not contain `.` (ours are UUIDs and integers).
 */
export async function signWebhook(
  secret: string,
  message: { id: string; timestamp: number; body: string },
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    webhookSecretBytes(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const content = new TextEncoder().encode(`${message.id}.${message.timestamp}.${message.body}`);
  const mac = await crypto.subtle.sign("HMAC", key, content);
  return `v1,${bytesToBase64(new Uint8Array(mac))}`;
}

/** The three Standard Webhooks headers of one attempt. */
export async function signatureHeaders(
  secret: string,
  message: { id: string; timestamp: number; body: string },
): Promise<WebhookSignatureHeaders> {
  return {
    "webhook-id": message.id,
    "webhook-timestamp": String(message.timestamp),
    "webhook-signature": await signWebhook(secret, message),
  };
}
