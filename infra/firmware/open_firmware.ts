/**
 * The firmware adapters from configuration: the file store under `{dataDir}/firmware` (a volume
 * shared by every API replica in compose), and the download URL signer keyed by the platform
 * secret key (`AIOT_SECRET_KEY`, else `secret.key` in the data dir — the key webhooks use; the
 * signer derives its own MAC key from it), with `downloadUrlFor` for the `ota` processor.
 */
import {
  createDownloadSigner,
  createDownloadUrlFor,
  type DownloadSigner,
  type DownloadUrlFor,
  type FirmwareStore,
} from "../../core/firmware/mod.ts";
import type { AiotConfig } from "../config/config.ts";
import { loadSecretKey } from "../webhooks/secret_box.ts";
import { openFileFirmwareStore } from "./file_firmware_store.ts";

export interface Firmware {
  store: FirmwareStore;
  signer: DownloadSigner;
  /** The largest upload, bytes. */
  maxBytes: number;
  /** The signed absolute URL of one job's image (base `AIOT_PUBLIC_URL`, `AIOT_FIRMWARE_URL_TTL`). */
  downloadUrlFor: DownloadUrlFor;
}

export async function openFirmware(config: AiotConfig): Promise<Firmware> {
  const key = await loadSecretKey({
    dataDir: config.dataDir,
    ...(config.webhooks.secretKey === undefined ? {} : { envKey: config.webhooks.secretKey }),
  });
  const signer = await createDownloadSigner(key);
  return {
    store: await openFileFirmwareStore(`${config.dataDir}/firmware`),
    signer,
    maxBytes: config.firmware.maxBytes,
    downloadUrlFor: createDownloadUrlFor({
      signer,
      publicUrl: config.publicUrl,
      ttlMs: config.firmware.urlTtlMs,
    }),
  };
}
