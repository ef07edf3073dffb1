/**
 * @module
 * The firmware read model (the images in the firmware store) and its queries.
 */
export { evolveFirmware, firmware, type FirmwareRow } from "./model.ts";
export { findFirmwareRelease, firmwareBytesInUse, getFirmware, listFirmware } from "./queries.ts";
