/**
 * @module
 * Firmware images (design §10): the `FirmwareStore` port (content-addressed, staged uploads,
 * streamed reads), `Range` answers, and the signed, expiring, per-job download URLs devices use.
 *
 * ```ts
 * import { createDownloadSigner, createDownloadUrlFor } from "./mod.ts";
 *
 * const signer = await createDownloadSigner(platformKey);
 * const downloadUrlFor = createDownloadUrlFor({ signer, publicUrl: "https://iot.example.com" });
 * const url = await downloadUrlFor({ firmwareId: "fw-1", jobId: "job-1", deviceId: "pump-1" });
 * ```
 */
export { answerRange, type RangeAnswer } from "./byte_range.ts";
export {
  createDownloadSigner,
  type DownloadGrant,
  type DownloadParams,
  downloadPath,
  type DownloadSigner,
  type DownloadVerdict,
} from "./download_signature.ts";
export {
  createDownloadUrlFor,
  DEFAULT_DOWNLOAD_TTL_MS,
  type DownloadUrlFor,
  type DownloadUrlOptions,
} from "./download_url.ts";
export {
  type ByteSpan,
  type FirmwareStore,
  FirmwareTooLargeError,
  SHA256_HEX,
  type StagedImage,
} from "./store.ts";
