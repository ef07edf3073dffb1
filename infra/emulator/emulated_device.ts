/**
 * One emulated device: a single npm:mqtt connection speaking the device contract (design §6). It
 * reports its state on connect, publishes telemetry when the emulator's clock says so, acks every
 * command, plays an OTA job through downloading → installing → succeeded, applies desired state to
 * its reported state and counts the rejection notices the platform sends it.
 */
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { DeviceModel, JsonPatch } from "./profiles.ts";

/** Counters shared by every device of one emulator run. */
export interface DeviceCounters {
  connected: number;
  sent: number;
  malformed: number;
  acked: number;
  rejected: number;
  commands: number;
  otaJobs: number;
  desired: number;
  connectErrors: number;
  lastError?: string;
}

export interface DeviceOptions {
  brokerUrl: string;
  qos: 0 | 1;
  /** Delay between OTA progress steps. */
  otaStepMs: number;
  reconnectPeriodMs: number;
  /** Extra client options: `ca`, `cert`, `key`, `rejectUnauthorized` for MQTTS. */
  tls?: Pick<IClientOptions, "ca" | "cert" | "key" | "rejectUnauthorized" | "servername">;
  random: () => number;
}

/** Unacknowledged QoS 1 messages per device before telemetry is skipped rather than queued. */
const MAX_IN_FLIGHT = 100;

/** Payloads the platform must refuse, each for a different reason. */
function malformedUplink(id: string, random: () => number): { topic: string; payload: string | Uint8Array } {
  const telemetry = `devices/${id}/telemetry`;
  const choices = [
    () => ({ topic: telemetry, payload: '{"values": {"temperature": 21.' }),
    () => ({ topic: telemetry, payload: '{"values": {"temperature": null}}' }),
    () => ({ topic: telemetry, payload: '{"values": {"bad metric!": 1}}' }),
    () => ({ topic: telemetry, payload: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) }),
    () => ({ topic: `devices/${id}/no-such-topic`, payload: "{}" }),
  ];
  return choices[Math.floor(random() * choices.length)]!();
}

export interface EmulatedDevice {
  readonly id: string;
  /** Publishes one telemetry message (or, with probability `malformedRate`, a malformed one). */
  tick(now: number, malformedRate: number): void;
  close(): Promise<void>;
}

export function startEmulatedDevice(
  identity: { id: string; token: string },
  model: DeviceModel,
  counters: DeviceCounters,
  options: DeviceOptions,
): EmulatedDevice {
  const { id } = identity;
  const base = `devices/${id}`;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let inFlight = 0;
  let online = false;
  let closed = false;
  const client: MqttClient = mqtt.connect(options.brokerUrl, {
    clientId: id,
    username: id,
    password: identity.token,
    clean: true,
    reconnectPeriod: options.reconnectPeriodMs,
    connectTimeout: 10_000,
    queueQoSZero: false,
    ...options.tls,
  });

  const publish = (suffix: string, body: unknown) =>
    client.publish(`${base}/${suffix}`, JSON.stringify(body), { qos: 1 }, () => {});
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) run();
    }, ms);
    timers.add(timer);
  };

  client.on("connect", () => {
    if (!online) counters.connected++;
    online = true;
    client.subscribe(
      [`${base}/commands/+`, `${base}/ota`, `${base}/state/desired`, `${base}/errors`],
      { qos: 1 },
      () => publish("state/reported", model.reported()),
    );
  });
  const offline = () => {
    if (online) counters.connected--;
    online = false;
  };
  client.on("close", offline);
  client.on("error", (error) => {
    counters.connectErrors++;
    counters.lastError = `${id}: ${error.message}`;
  });

  function playOta(job: JsonPatch): void {
    const jobId = typeof job.jobId === "string" ? job.jobId : undefined;
    if (!jobId) return;
    const version = typeof job.version === "string" ? job.version : undefined;
    const steps: JsonPatch[] = [0, 25, 50, 75, 100].map((progress) => ({ status: "downloading", progress }));
    steps.push({ status: "installing" }, { status: "succeeded", ...(version ? { version } : {}) });
    steps.forEach((step, i) =>
      later(options.otaStepMs * i, () => {
        publish("ota/status", { jobId, ...step });
        if (step.status !== "succeeded") return;
        counters.otaJobs++;
        if (version) publish("state/reported", { firmware: version });
      })
    );
  }

  client.on("message", (topic, payload) => {
    const suffix = topic.slice(base.length + 1);
    if (suffix === "errors") {
      counters.rejected++;
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      return; // Not ours to judge: the platform only sends JSON.
    }
    const object = typeof body === "object" && body !== null && !Array.isArray(body) ? body as JsonPatch : {};
    const command = /^commands\/([^/]+)$/.exec(suffix);
    if (command) {
      publish(`commands/${command[1]}/ack`, { status: "ok" });
      counters.commands++;
    } else if (suffix === "ota") {
      playOta(object);
    } else if (suffix === "state/desired") {
      counters.desired++;
      // What the profile does not understand is echoed as-is: the emulated device "accepts" it.
      const understood = model.applyDesired(object);
      publish("state/reported", { ...object, ...understood });
    }
  });

  return {
    id,
    tick(now, malformedRate) {
      if (!online || (options.qos === 1 && inFlight >= MAX_IN_FLIGHT)) return;
      let topic = `${base}/telemetry`;
      let payload: string | Uint8Array;
      if (malformedRate > 0 && options.random() < malformedRate) {
        ({ topic, payload } = malformedUplink(id, options.random));
        counters.malformed++;
      } else {
        const { values, events } = model.next(now);
        payload = JSON.stringify({ ts: now, values });
        for (const event of events ?? []) publish("events", { ...event, ts: now });
      }
      counters.sent++;
      if (options.qos === 0) {
        client.publish(topic, payload as string, { qos: 0 });
        return;
      }
      inFlight++;
      client.publish(topic, payload as string, { qos: 1 }, (error) => {
        inFlight--;
        if (!error) counters.acked++;
      });
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // Let in-flight acknowledgements arrive, then say goodbye with DISCONNECT when connected.
      for (let waited = 0; client.connected && inFlight > 0 && waited < 2000; waited += 20) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await client.endAsync(!client.connected || inFlight > 0);
      offline();
    },
  };
}
