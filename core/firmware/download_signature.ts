/**
 * Signed, expiring, per-job firmware download URLs (design §10): `GET
 * /api/v1/firmware/{id}/download?job=&device=&exp=&sig=` needs no other credential. `sig` is the
 * base64url HMAC-SHA256 of the path and the other parameters, keyed by a key derived (HKDF) from
 * the platform secret key, so the key that seals webhook secrets is never used for MACs itself.
 * Verification runs in WebCrypto (`verify` compares in constant time); an expired URL is refused
 * even with a good signature. WebCrypto only, so it runs anywhere.
 */

/** What one signed URL grants: one firmware image, to one device, for one job, until `expires`. */
export interface DownloadGrant {
  firmwareId: string;
  jobId: string;
  deviceId: string;
}

/** The query parameters of a download request, as received (possibly tampered with). */
export interface DownloadParams {
  firmwareId: string;
  job?: string | undefined;
  device?: string | undefined;
  exp?: string | undefined;
  sig?: string | undefined;
}

export type DownloadVerdict = "ok" | "invalid" | "expired";

export interface DownloadSigner {
  /** The `sig` for `grant` until `expiresAt` (Unix seconds). */
  sign(grant: DownloadGrant, expiresAt: number): Promise<string>;
  /** Whether `params` carry a valid, unexpired signature at `nowMs`. */
  verify(params: DownloadParams, nowMs: number): Promise<DownloadVerdict>;
}

/** The path a grant signs, as the API routes it. */
export const downloadPath = (firmwareId: string): string =>
  `/api/v1/firmware/${encodeURIComponent(firmwareId)}/download`;

const INFO = new TextEncoder().encode("aiot firmware download v1");
const MAC_BYTES = 32;

/** The bytes signed: version, path and parameters in a fixed order, each URI-encoded (no `&` or `=` inside). */
function message(firmwareId: string, jobId: string, deviceId: string, exp: string): Uint8Array<ArrayBuffer> {
  const e = encodeURIComponent;
  return new TextEncoder().encode(
    `v1\nGET ${downloadPath(firmwareId)}\ndevice=${e(deviceId)}&exp=${exp}&job=${e(jobId)}`,
  );
}

const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return undefined; // 32 bytes, unpadded
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/") + "=");
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** A signer under `secretKey` (the platform key, ≥ 32 bytes). */
export async function createDownloadSigner(secretKey: Uint8Array<ArrayBuffer>): Promise<DownloadSigner> {
  if (secretKey.length < 32) {
    throw new RangeError("Cannot sign downloads: the secret key needs at least 32 bytes");
  }
  const base = await crypto.subtle.importKey("raw", secretKey, "HKDF", false, ["deriveKey"]);
  const key = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: INFO },
    base,
    { name: "HMAC", hash: "SHA-256", length: MAC_BYTES * 8 },
    false,
    ["sign", "verify"],
  );
  return {
    async sign(grant, expiresAt) {
      if (!Number.isSafeInteger(expiresAt) || expiresAt < 0) {
        throw new RangeError(`Cannot sign a download: expiry ${expiresAt} is not Unix seconds`);
      }
      const mac = await crypto.subtle.sign(
        "HMAC",
        key,
        message(grant.firmwareId, grant.jobId, grant.deviceId, String(expiresAt)),
      );
      return toBase64Url(new Uint8Array(mac));
    },
    async verify({ firmwareId, job, device, exp, sig }, nowMs) {
      if (!job || !device || !exp || !sig || !/^\d{1,12}$/.test(exp)) return "invalid";
      const mac = fromBase64Url(sig);
      if (!mac) return "invalid";
      const good = await crypto.subtle.verify("HMAC", key, mac, message(firmwareId, job, device, exp));
      if (!good) return "invalid";
      return Number(exp) * 1000 <= nowMs ? "expired" : "ok";
    },
  };
}
