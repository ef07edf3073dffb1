/**
 * `deno task start --demo`: a handful of emulated devices inside the all-in-one, registered
 * through the registry operations of core/devices against the platform's own log, connected to
 * its own broker. Tokens are shown only once, so a demo device that already exists (the data dir
 * survived a restart) gets a fresh token instead of a second registration. Once the devices have
 * reported, the demo's rules (demo_rules.ts) are defined, so the boiler's overheating raises alerts.
 * With the firmware store, a demo image is published too (demo_firmware.ts), so an OTA campaign can
 * be run from the dashboard: the demo devices download, verify and install it.
 */
import { registerDevice, type RegistryDeps, rotateDeviceToken } from "../../core/devices/registry.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import { generateToken, hashSecret } from "../auth/secrets.ts";
import { type EmulatedIdentity, type Emulator, startEmulator } from "./emulator.ts";
import type { ProfileName } from "./profiles.ts";
import { demoRules, ensureDemoRules } from "./demo_rules.ts";
import { ensureDemoFirmware } from "./demo_firmware.ts";
import type { FirmwareStore } from "../../core/firmware/mod.ts";
import { getDevice, type ReadModelStore } from "../../core/readmodels/mod.ts";
import { type Logger, noopLogger } from "../../core/logging/mod.ts";

export const DEMO_DEVICES: readonly { id: string; profile: ProfileName; name: string }[] = [
  { id: "demo-thermostat-1", profile: "thermostat", name: "Living room thermostat" },
  { id: "demo-thermostat-2", profile: "thermostat", name: "Office thermostat" },
  { id: "demo-door-1", profile: "door", name: "Front door" },
  { id: "demo-door-2", profile: "door", name: "Garage door" },
  { id: "demo-tracker-1", profile: "tracker", name: "Delivery van" },
  { id: "demo-boiler-1", profile: "boiler", name: "Basement boiler" },
];

export interface DemoDeps {
  log: EventLog;
  readModels: ReadModelStore;
  deviceTopic: string;
  /**
   * Where the demo's rules are defined (`rule.defined`). Default: the device topic's sibling of
   * the `alert` family (`<prefix>alert`, design §3).
   */
  alertTopic?: string;
  /**
   * The platform's firmware store: publishes the demo image (`demo-firmware` 1.1.0) unless it
   * exists. `otaTopic` defaults to the device topic's sibling of the `ota` family.
   */
  firmware?: { store: FirmwareStore; otaTopic?: string };
  /** The platform's own broker, e.g. `mqtt://127.0.0.1:1883`. */
  brokerUrl: string;
  /** Telemetry messages per second of each demo device. Default 1. */
  ratePerDevice?: number;
  /** How long to wait for the registry read model to show the devices. Default 10 s. */
  projectionTimeoutMs?: number;
  /** Where failures to set up the demo rules and firmware go. Default: none. */
  logger?: Logger;
}

/**
 * Registers the demo devices that are missing and re-tokens the active ones that exist;
 * decommissioned ones are left alone. Resolves once the registry read model shows every token,
 * so the devices can authenticate right away.
 */
export async function registerDemoDevices(deps: DemoDeps): Promise<EmulatedIdentity[]> {
  const registry: RegistryDeps = {
    findDevice: (id) => getDevice(deps.readModels, id),
    appendDeviceEvents: (events) => deps.log.append(deps.deviceTopic, events.map(toLogMessage)),
    generateToken,
    hashSecret: (token) => hashSecret(token),
    newDeviceId: () => `demo-${crypto.randomUUID().slice(0, 8)}`,
  };
  const identities: (EmulatedIdentity & { hash: string })[] = [];
  for (const demo of DEMO_DEVICES) {
    const existing = await getDevice(deps.readModels, demo.id);
    if (existing?.status === "decommissioned") continue;
    const { token, event } = existing
      ? await rotateDeviceToken(registry, demo.id, "demo")
      : await registerDevice(
        registry,
        { id: demo.id, name: demo.name, labels: { demo: demo.profile } },
        "demo",
      );
    const { credential } = event.data as { credential: { hash: string } };
    identities.push({ id: demo.id, token, profile: demo.profile, hash: credential.hash });
  }
  const deadline = Date.now() + (deps.projectionTimeoutMs ?? 10_000);
  for (const identity of identities) {
    while ((await getDevice(deps.readModels, identity.id))?.credential?.hash !== identity.hash) {
      if (Date.now() > deadline) {
        throw new Error(`Demo device ${identity.id} did not reach the registry read model in time`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return identities.map(({ id, token, profile }) => ({ id, token, ...(profile ? { profile } : {}) }));
}

/** The topic of `family` beside `deviceTopic`: topics are `<prefix><family>`. */
function topicBeside(deviceTopic: string, family: "alert" | "ota"): string {
  if (!deviceTopic.endsWith("device")) {
    throw new RangeError(`Cannot derive the ${family} topic from "${deviceTopic}": pass it`);
  }
  return `${deviceTopic.slice(0, -"device".length)}${family}`;
}

/**
 * Registers the demo devices, starts emulating them against the platform's broker, and defines the
 * demo's rules in the background once their metrics were reported (stopping the demo stops that).
 */
export async function startDemo(deps: DemoDeps): Promise<Emulator> {
  const devices = await registerDemoDevices(deps);
  const emulator = startEmulator({
    brokerUrl: deps.brokerUrl,
    devices,
    ratePerDevice: deps.ratePerDevice ?? 1,
    qos: 1,
    reconnectPeriodMs: 1000,
  });
  const abort = new AbortController();
  const rules = ensureDemoRules({
    log: deps.log,
    readModels: deps.readModels,
    alertTopic: deps.alertTopic ?? topicBeside(deps.deviceTopic, "alert"),
    rules: demoRules(DEMO_DEVICES.map((d) => d.id)),
    signal: abort.signal,
  }).catch((error) => {
    (deps.logger ?? noopLogger).error("cannot define the demo rules", { error });
    return [];
  });
  const firmware = deps.firmware
    ? ensureDemoFirmware({
      log: deps.log,
      readModels: deps.readModels,
      store: deps.firmware.store,
      otaTopic: deps.firmware.otaTopic ?? topicBeside(deps.deviceTopic, "ota"),
    }).catch((error) => {
      (deps.logger ?? noopLogger).error("cannot publish the demo firmware", { error });
    })
    : undefined;
  return {
    stats: () => emulator.stats(),
    async stop() {
      abort.abort();
      await rules;
      await firmware;
      await emulator.stop();
    },
  };
}
