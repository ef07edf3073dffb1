/**
 * The absolute download URL the `devices/{id}/ota` downlink carries (design §6, §10): base
 * `AIOT_PUBLIC_URL`, signed for one job of one device, expiring (default 24 h). The `ota`
 * processor takes `downloadUrlFor` as a dependency and calls it at each dispatch, so a device that
 * comes online late still gets a fresh URL.
 */
import { type DownloadGrant, downloadPath, type DownloadSigner } from "./download_signature.ts";

/** Default lifetime of a download URL: 24 h. */
export const DEFAULT_DOWNLOAD_TTL_MS = 24 * 3_600_000;

/** The signed absolute URL for one job's image. */
export type DownloadUrlFor = (grant: DownloadGrant) => Promise<string>;

export interface DownloadUrlOptions {
  signer: DownloadSigner;
  /** Where devices reach the API, e.g. `https://iot.example.com` (a trailing `/` is fine). */
  publicUrl: string;
  /** Lifetime of each URL. Default 24 h. */
  ttlMs?: number;
  /** Epoch ms. Default `Date.now`. */
  now?: () => number;
}

export function createDownloadUrlFor(options: DownloadUrlOptions): DownloadUrlFor {
  const base = options.publicUrl.replace(/\/+$/, "");
  const ttlMs = options.ttlMs ?? DEFAULT_DOWNLOAD_TTL_MS;
  const now = options.now ?? Date.now;
  return async (grant) => {
    const exp = Math.ceil((now() + ttlMs) / 1000);
    const sig = await options.signer.sign(grant, exp);
    const query = new URLSearchParams({ job: grant.jobId, device: grant.deviceId, exp: String(exp), sig });
    return `${base}${downloadPath(grant.firmwareId)}?${query}`;
  };
}
