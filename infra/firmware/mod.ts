/**
 * @module
 * The firmware store on the file system (content-addressed under `{dataDir}/firmware`) and the
 * signed download URLs, opened from configuration.
 */
export { openFileFirmwareStore } from "./file_firmware_store.ts";
export { type Firmware, openFirmware } from "./open_firmware.ts";
