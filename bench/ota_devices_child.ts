/**
 * One slice of the `ota` bench's fleet in its own process (thousands of npm:mqtt clients and their
 * sha256 work would otherwise share the platform's event loop): emulated devices `<prefix><n>` for
 * n in [from, from + count), all with the same token, slow telemetry, and OTA jobs played for
 * real (download of the signed URL, sha256, installing, succeeded). Prints its counters as one
 * JSON line every 250 ms; SIGTERM closes every connection and exits.
 *
 * Usage: deno run -A bench/ota_devices_child.ts <brokerUrl> <prefix> <from> <count> <token>
 */
import { startEmulator } from "../infra/emulator/mod.ts";

const [brokerUrl, prefix, from, count, token] = Deno.args;
if (!brokerUrl || !prefix || !from || !count || !token) {
  throw new TypeError("usage: ota_devices_child.ts <brokerUrl> <prefix> <from> <count> <token>");
}
const devices = Array.from(
  { length: Number(count) },
  (_, i) => ({ id: `${prefix}${Number(from) + i}`, token }),
);
const emulator = startEmulator({
  brokerUrl,
  devices,
  // A reading every 20 s: the fleet is there for its OTA jobs, not its telemetry.
  ratePerDevice: 0.05,
  connectsPerSecond: 500,
  otaStepMs: 200,
  reconnectPeriodMs: 1000,
});
const report = setInterval(() => console.log(JSON.stringify(emulator.stats())), 250);
Deno.addSignalListener("SIGTERM", async () => {
  clearInterval(report);
  await emulator.stop();
  Deno.exit(0);
});
