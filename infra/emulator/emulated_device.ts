/**
 * One emulated device: a single npm:mqtt connection speaking the device contract (design §6). It
 * reports its state on connect, publishes telemetry when the emulator's clock says so, acks every
 * command, plays an OTA job (ota_updater.ts: a real download of the signed URL, then downloading →
 * installing → succeeded or failed), applies desired state to its reported state and counts the
 * rejection notices the platform sends it. A device "bricked" by an update stays connected but
 * sends no more telemetry.
 */
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { type OtaBehaviour, type OtaReport, parseOtaJob, playOtaJob } from "./ota_updater.ts";
import type { DeviceModel, JsonPatch } from "./profiles.ts";

/** Counters shared by every device of one emulator run. */
export interface DeviceCounters {
  connected: number;
  sent: number;
  malformed: number;
  acked: number;
  rejected: number;
  commands: number;
  /** OTA jobs that reported `succeeded` (bricked ones included). */
  otaJobs: number;
  otaFailed: number;
  bricked: number;
  /** Jobs downloading or installing now. */
  otaActive: number;
  desired: number;
  connectErrors: number;
  lastError?: string;
}

export interface DeviceOptions {
  brokerUrl: string;
  qos: 0 | 1;
  /** How a job is played: install time, failure and brick rates (fetch and random for tests). */
  ota: OtaBehaviour;
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
  let inFlight = 0;
  let online = false;
  let counted = false;
  let bricked = false;
  const stopped = new AbortController();
  /** Jobs seen, with their final report once there is one (a job sent again gets it again). */
  const jobs = new Map<string, OtaReport | undefined>();
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

  client.on("connect", () => {
    online = true;
    client.subscribe(
      [`${base}/commands/+`, `${base}/ota`, `${base}/state/desired`, `${base}/errors`],
      { qos: 1 },
      () => {
        // Counted once subscribed: from here on a job sent to it is not lost.
        if (online && !counted) counters.connected++;
        counted = online;
        publish("state/reported", model.reported());
      },
    );
  });
  const offline = () => {
    if (counted) counters.connected--;
    online = false;
    counted = false;
  };
  client.on("close", offline);
  client.on("error", (error) => {
    counters.connectErrors++;
    counters.lastError = `${id}: ${error.message}`;
  });

  function playOta(body: unknown): void {
    const job = parseOtaJob(body);
    if (!job) return;
    if (jobs.has(job.jobId)) {
      // Sent again (the platform missed our answer, or we reconnected): repeat the outcome.
      const final = jobs.get(job.jobId);
      if (final) publish("ota/status", final);
      return;
    }
    jobs.set(job.jobId, undefined);
    counters.otaActive++;
    const report = (r: OtaReport) =>
      new Promise<void>((resolve) => {
        if (r.status === "succeeded" || r.status === "failed") jobs.set(r.jobId, r);
        client.publish(`${base}/ota/status`, JSON.stringify(r), { qos: 1 }, () => resolve());
      });
    playOtaJob(job, report, options.ota, stopped.signal).then((outcome) => {
      if (outcome === "failed") return void counters.otaFailed++;
      counters.otaJobs++;
      if (outcome === "bricked") {
        bricked = true;
        counters.bricked++;
      } else {
        publish("state/reported", { firmware: job.version });
      }
    }, () => {}).finally(() => counters.otaActive--);
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
      playOta(body);
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
      if (!online || bricked || (options.qos === 1 && inFlight >= MAX_IN_FLIGHT)) return;
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
      stopped.abort();
      // Let in-flight acknowledgements arrive, then say goodbye with DISCONNECT when connected.
      for (let waited = 0; client.connected && inFlight > 0 && waited < 2000; waited += 20) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await client.endAsync(!client.connected || inFlight > 0);
      offline();
    },
  };
}
