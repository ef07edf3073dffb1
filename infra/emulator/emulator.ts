/**
 * A fleet of emulated devices on one clock. `startEmulator` connects every device (spread over
 * time, so a large fleet does not storm the broker), then publishes telemetry at `ratePerDevice`
 * messages per second **per device** until `stop()`. Counters are shared and read with `stats()`.
 */
import {
  type DeviceCounters,
  type DeviceOptions,
  type EmulatedDevice,
  startEmulatedDevice,
} from "./emulated_device.ts";
import { createDeviceModel, type ProfileName } from "./profiles.ts";

export interface EmulatedIdentity {
  id: string;
  token: string;
  /** Overrides the emulator's `profile` for this device. */
  profile?: ProfileName;
}

export interface EmulatorOptions {
  /** `mqtt://host:1883`, `mqtts://…` (with `tls`) or `ws://host:8080/mqtt`. */
  brokerUrl: string;
  devices: EmulatedIdentity[];
  /** Default profile. Default `thermostat`. */
  profile?: ProfileName;
  /** Telemetry messages per second of each device. Default 1. */
  ratePerDevice?: number;
  /** Share of telemetry messages replaced by malformed payloads, 0–1. Default 0. */
  malformedRate?: number;
  /** QoS of telemetry (state, acks and OTA status always use 1). Default 1. */
  qos?: 0 | 1;
  /** New connections per second while starting. Default 200. */
  connectsPerSecond?: number;
  /** How long an OTA install takes (after the download). Default 500 ms. */
  otaStepMs?: number;
  /** Share of OTA jobs whose install fails (reported `failed`), 0–1. Default 0. */
  otaFailureRate?: number;
  /** Share of OTA jobs reported `succeeded` after which the device stops its telemetry, 0–1. Default 0. */
  otaBrickRate?: number;
  /** The HTTP client of firmware downloads (tests). Default `fetch`. */
  otaFetch?: typeof fetch;
  /** Delay before reconnecting a dropped connection. Default 2000 ms. */
  reconnectPeriodMs?: number;
  tls?: DeviceOptions["tls"];
  random?: () => number;
}

export interface EmulatorStats extends Readonly<DeviceCounters> {
  devices: number;
  /** Milliseconds since start. */
  elapsedMs: number;
}

export interface Emulator {
  stats(): EmulatorStats;
  /** Stops publishing and closes every connection; resolves when all are closed. */
  stop(): Promise<void>;
}

/** Clock resolution: each tick, every device publishes what its rate has earned since the last one. */
const TICK_MS = 50;

/** Starts the fleet; returns at once (connections come up in the background). */
export function startEmulator(options: EmulatorOptions): Emulator {
  const rate = options.ratePerDevice ?? 1;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`ratePerDevice must be > 0, got ${rate}`);
  const malformedRate = options.malformedRate ?? 0;
  if (!(malformedRate >= 0 && malformedRate <= 1)) {
    throw new RangeError(`malformedRate must be between 0 and 1, got ${malformedRate}`);
  }
  const random = options.random ?? Math.random;
  for (
    const [name, value] of [["otaFailureRate", options.otaFailureRate], [
      "otaBrickRate",
      options.otaBrickRate,
    ]]
  ) {
    if (value !== undefined && !(Number(value) >= 0 && Number(value) <= 1)) {
      throw new RangeError(`${name} must be between 0 and 1, got ${value}`);
    }
  }
  const counters: DeviceCounters = {
    connected: 0,
    sent: 0,
    malformed: 0,
    acked: 0,
    rejected: 0,
    commands: 0,
    otaJobs: 0,
    otaFailed: 0,
    bricked: 0,
    otaActive: 0,
    desired: 0,
    connectErrors: 0,
  };
  const deviceOptions: DeviceOptions = {
    brokerUrl: options.brokerUrl,
    qos: options.qos ?? 1,
    ota: {
      installMs: options.otaStepMs ?? 500,
      failureRate: options.otaFailureRate ?? 0,
      brickRate: options.otaBrickRate ?? 0,
      random,
      ...(options.otaFetch ? { fetch: options.otaFetch } : {}),
    },
    reconnectPeriodMs: options.reconnectPeriodMs ?? 2000,
    random,
    ...(options.tls ? { tls: options.tls } : {}),
  };
  const started = Date.now();
  const running: { device: EmulatedDevice; credit: number }[] = [];
  const connectGap = 1000 / (options.connectsPerSecond ?? 200);

  // Connections are opened in slices of one tick each, at the configured pace.
  let next = 0;
  const perTick = Math.max(1, Math.round(TICK_MS / connectGap));
  const connectMore = () => {
    for (const end = Math.min(next + perTick, options.devices.length); next < end; next++) {
      const identity = options.devices[next]!;
      const model = createDeviceModel(identity.profile ?? options.profile ?? "thermostat", random);
      // A random starting credit spreads the devices' messages over the second.
      running.push({
        device: startEmulatedDevice(identity, model, counters, deviceOptions),
        credit: random(),
      });
    }
  };
  connectMore();

  let last = Date.now();
  const clock = setInterval(() => {
    if (next < options.devices.length) connectMore();
    const now = Date.now();
    const earned = ((now - last) / 1000) * rate;
    last = now;
    for (const entry of running) {
      entry.credit += earned;
      // Catching up is capped: after a stall a device sends at most one second's worth at once.
      if (entry.credit > Math.max(1, rate) + 1) entry.credit = Math.max(1, rate);
      for (; entry.credit >= 1; entry.credit--) entry.device.tick(now, malformedRate);
    }
  }, TICK_MS);

  let stopping: Promise<void> | undefined;
  return {
    stats: () => ({ ...counters, devices: options.devices.length, elapsedMs: Date.now() - started }),
    stop() {
      stopping ??= (async () => {
        clearInterval(clock);
        await Promise.all(running.map((entry) => entry.device.close()));
      })();
      return stopping;
    },
  };
}
