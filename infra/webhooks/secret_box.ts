/**
 * Endpoint secrets at rest: AES-256-GCM (WebCrypto) under one platform key, with the endpoint id
 * as additional data so a sealed secret moved to another row does not open. The key comes from
 * `AIOT_SECRET_KEY` (base64 of 32 bytes; every replica must share it) or, when unset, from
 * `secret.key` in the data directory, generated once with mode 0600. The key and the secrets are
 * never logged; error messages never quote them.
 */
import type { SecretBox } from "../../core/webhooks/store.ts";
import { bytesToBase64 } from "../../core/encoding.ts";

const VERSION = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** The 32 key bytes of a base64 text. Throws a `TypeError` that does not quote it. */
export function decodeSecretKey(base64: string, where: string): Uint8Array<ArrayBuffer> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64(base64.trim());
  } catch {
    throw new TypeError(`${where} is not base64`);
  }
  if (bytes.length !== KEY_BYTES) throw new TypeError(`${where} must be base64 of ${KEY_BYTES} bytes`);
  return bytes;
}

/**
 * The platform key: `envKey` when given, else `{dataDir}/secret.key`, created (0600) when missing.
 * Two processes starting together on one data dir agree on one key.
 */
export async function loadSecretKey(
  options: { dataDir: string; envKey?: string },
): Promise<Uint8Array<ArrayBuffer>> {
  if (options.envKey !== undefined) return decodeSecretKey(options.envKey, "AIOT_SECRET_KEY");
  const path = `${options.dataDir}/secret.key`;
  await Deno.mkdir(options.dataDir, { recursive: true });
  // Written aside, then linked into place: the link is atomic and fails when the file exists, so
  // a reader never sees a half-written key and the first of two racing processes wins.
  const key = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
  const draft = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(draft, `${bytesToBase64(key)}\n`, { createNew: true, mode: 0o600 });
  try {
    await Deno.link(draft, path);
    return key;
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  } finally {
    await Deno.remove(draft);
  }
  return decodeSecretKey(await Deno.readTextFile(path), path);
}

/** A box sealing with `key` (32 bytes): `v1.<base64 of IV + ciphertext and tag>`. */
export async function createSecretBox(key: Uint8Array<ArrayBuffer>): Promise<SecretBox> {
  const aes = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt", "decrypt"]);
  const encoder = new TextEncoder();
  return {
    async seal(plaintext, context) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(context) },
        aes,
        encoder.encode(plaintext),
      );
      const out = new Uint8Array(IV_BYTES + sealed.byteLength);
      out.set(iv);
      out.set(new Uint8Array(sealed), IV_BYTES);
      return `${VERSION}.${bytesToBase64(out)}`;
    },
    async open(sealed, context) {
      const [version, data] = sealed.split(".");
      if (version !== VERSION || data === undefined) {
        throw new TypeError("Cannot open a sealed secret: unknown format");
      }
      const bytes = fromBase64(data);
      try {
        const plain = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES), additionalData: encoder.encode(context) },
          aes,
          bytes.subarray(IV_BYTES),
        );
        return new TextDecoder().decode(plain);
      } catch (cause) {
        throw new TypeError(
          "Cannot open a sealed secret: wrong key or context (was AIOT_SECRET_KEY changed?)",
          {
            cause,
          },
        );
      }
    },
  };
}
