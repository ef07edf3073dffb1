/**
 * `deno task emulate` — a fleet of emulated devices against a running AIOT broker:
 *
 *   --devices N          how many (default 10; with --token-file: the devices in the file)
 *   --rate R             telemetry messages per second PER DEVICE (default 1; total = N × R)
 *   --broker URL         mqtt://localhost:1883 (default), mqtts://… (with --cafile), ws://…/mqtt
 *   --profile P          thermostat (default) | door | tracker | boiler
 *   --token-file PATH    `id token` lines
 *   --api URL --user U --password P   register emulator devices (or re-token them) over HTTP;
 *                        --password defaults to AIOT_ADMIN_PASSWORD; --prefix (default emu-<profile>)
 *   --save-tokens PATH   write the identities used as a token file (reuse with --token-file)
 *   --malformed-rate X   share of telemetry replaced by malformed payloads (default 0)
 *   --qos 0|1            telemetry QoS (default 1)   --duration S   stop after S seconds
 *   --cafile PATH        CA certificate for mqtts://
 *   --ota-failure-rate X share of OTA jobs whose install fails (default 0)
 *   --ota-brick-rate X   share of OTA jobs reported succeeded after which the device stops its
 *                        telemetry (the health gate's case; default 0)
 *   --ota-install-ms MS  how long an install takes after the download (default 500)
 *
 * Prints one line per second (sent/s, acked, rejected, commands answered); Ctrl-C stops cleanly
 * and prints the totals.
 */
import { exitOnSignals } from "../lifecycle/shutdown.ts";
import { formatTokenFile, parseTokenFile, registerViaApi } from "./device_sources.ts";
import { type EmulatedIdentity, type EmulatorStats, startEmulator } from "./emulator.ts";
import { parseProfile } from "./profiles.ts";

const USAGE =
  `usage: deno task emulate [--devices N] [--rate R] [--broker URL] [--profile thermostat|door|tracker|boiler]
         (--token-file PATH | --api URL --user NAME [--password P] [--prefix ID]) [--save-tokens PATH]
         [--malformed-rate 0.01] [--qos 0|1] [--duration S] [--cafile PATH]
         [--ota-failure-rate 0.05] [--ota-brick-rate 0.01] [--ota-install-ms 500]`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  Deno.exit(2);
}

const FLAGS = [
  "devices",
  "rate",
  "broker",
  "profile",
  "token-file",
  "api",
  "user",
  "password",
  "prefix",
  "save-tokens",
  "malformed-rate",
  "qos",
  "duration",
  "cafile",
  "ota-failure-rate",
  "ota-brick-rate",
  "ota-install-ms",
];

function parseArgs(args: string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      Deno.exit(0);
    }
    const name = arg.replace(/^--/, "");
    if (!arg.startsWith("--") || !FLAGS.includes(name)) fail(`unknown option ${arg}`);
    const value = args[++i];
    if (value === undefined) fail(`${arg} needs a value`);
    options.set(name, value);
  }
  return options;
}

function number(options: Map<string, string>, name: string, fallback: number, min: number, max = Infinity) {
  const raw = options.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    fail(`--${name}: expected ${min}–${max}, got "${raw}"`);
  }
  return value;
}

const options = parseArgs(Deno.args);
const profile = (() => {
  try {
    return parseProfile(options.get("profile") ?? "thermostat");
  } catch (error) {
    return fail((error as Error).message);
  }
})();
const qos = number(options, "qos", 1, 0, 1);
if (qos !== 0 && qos !== 1) fail("--qos: expected 0 or 1");
const rate = number(options, "rate", 1, 0.001);
const malformedRate = number(options, "malformed-rate", 0, 0, 1);
const duration = number(options, "duration", 0, 0);
const otaFailureRate = number(options, "ota-failure-rate", 0, 0, 1);
const otaBrickRate = number(options, "ota-brick-rate", 0, 0, 1);
const otaInstallMs = number(options, "ota-install-ms", 500, 0);
const brokerUrl = options.get("broker") ?? "mqtt://localhost:1883";

let devices: EmulatedIdentity[];
const tokenFile = options.get("token-file");
const apiUrl = options.get("api");
if (tokenFile && apiUrl) fail("give either --token-file or --api, not both");
try {
  if (tokenFile) {
    devices = parseTokenFile(await Deno.readTextFile(tokenFile));
    const wanted = number(options, "devices", devices.length, 1);
    if (wanted > devices.length) fail(`--devices ${wanted}: ${tokenFile} holds only ${devices.length}`);
    devices = devices.slice(0, wanted);
  } else if (apiUrl) {
    const password = options.get("password") ?? Deno.env.get("AIOT_ADMIN_PASSWORD");
    if (!password) fail("--api needs --password (or AIOT_ADMIN_PASSWORD)");
    const count = number(options, "devices", 10, 1, 1_000_000);
    devices = await registerViaApi({
      apiUrl,
      user: options.get("user") ?? "admin",
      password,
      prefix: options.get("prefix") ?? `emu-${profile}`,
      count,
      labels: { emulator: profile },
      progress: (done, total) => {
        if (done % 50 === 0 || done === total) console.error(`registered ${done}/${total} devices`);
      },
    });
  } else {
    fail("which devices? give --token-file or --api");
  }
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
const saveTo = options.get("save-tokens");
if (saveTo) await Deno.writeTextFile(saveTo, formatTokenFile(devices), { mode: 0o600 });

const cafile = options.get("cafile");
const emulator = startEmulator({
  brokerUrl,
  devices,
  profile,
  ratePerDevice: rate,
  malformedRate,
  qos,
  otaFailureRate,
  otaBrickRate,
  otaStepMs: otaInstallMs,
  ...(cafile ? { tls: { ca: await Deno.readTextFile(cafile), rejectUnauthorized: true } } : {}),
});
console.error(
  `emulating ${devices.length} ${profile} device(s) against ${brokerUrl} at ${rate} msg/s each ` +
    `(${Math.round(devices.length * rate * 10) / 10} msg/s in total), QoS ${qos}; Ctrl-C stops`,
);

const line = (s: EmulatorStats, perSecond: number) =>
  `connected ${s.connected}/${s.devices} · sent ${perSecond}/s (${s.sent} total` +
  (s.malformed ? `, ${s.malformed} malformed` : "") + `) · acked ${qos === 1 ? s.acked : "-"} · ` +
  `rejected ${s.rejected} · commands answered ${s.commands} · ota ${s.otaJobs}` +
  (s.otaActive || s.otaFailed || s.bricked
    ? ` (${s.otaActive} in progress, ${s.otaFailed} failed, ${s.bricked} bricked)`
    : "") +
  (s.connectErrors ? ` · connect errors ${s.connectErrors} (last: ${s.lastError})` : "");

let previous = 0;
const ticker = setInterval(() => {
  const s = emulator.stats();
  console.error(line(s, s.sent - previous));
  previous = s.sent;
}, 1000);

const finish = async () => {
  clearInterval(ticker);
  await emulator.stop();
  const s = emulator.stats();
  const seconds = s.elapsedMs / 1000;
  console.error(
    `totals after ${seconds.toFixed(1)} s: ${line(s, Math.round(s.sent / seconds))}`.replace(
      "/s (",
      "/s avg (",
    ),
  );
};
exitOnSignals(finish, { deadlineMs: 5000 });
if (duration > 0) {
  setTimeout(async () => {
    await finish();
    Deno.exit(0);
  }, duration * 1000);
}
