/**
 * @module
 * The device emulator: fleets of devices that speak the AIOT device contract (design §6) over
 * real MQTT connections — realistic telemetry per profile, state reports, command acks, OTA jobs
 * (a real, verified download of the signed URL; optional failure and "brick" rates), desired state
 * applied, optional malformed payloads — for demos, load and tests.
 * `deno task emulate` is its CLI; `deno task start --demo` runs a few devices in-process.
 *
 * ```ts ignore
 * const emulator = startEmulator({
 *   brokerUrl: "mqtt://localhost:1883",
 *   devices: parseTokenFile(await Deno.readTextFile("tokens.txt")),
 *   profile: "door",
 *   ratePerDevice: 2,
 * });
 * console.log(emulator.stats().sent);
 * await emulator.stop();
 * ```
 */
export {
  type EmulatedIdentity,
  type Emulator,
  type EmulatorOptions,
  type EmulatorStats,
  startEmulator,
} from "./emulator.ts";
export { createDeviceModel, type DeviceModel, parseProfile, type ProfileName, PROFILES } from "./profiles.ts";
export { type ApiRegistration, formatTokenFile, parseTokenFile, registerViaApi } from "./device_sources.ts";
export { DEMO_DEVICES, type DemoDeps, registerDemoDevices, startDemo } from "./demo.ts";
export { type DemoRule, demoRules, ensureDemoRules } from "./demo_rules.ts";
export { DEMO_FIRMWARE, type DemoFirmwareDeps, ensureDemoFirmware } from "./demo_firmware.ts";
export {
  type OtaBehaviour,
  type OtaJob,
  type OtaOutcome,
  type OtaReport,
  parseOtaJob,
  playOtaJob,
} from "./ota_updater.ts";
