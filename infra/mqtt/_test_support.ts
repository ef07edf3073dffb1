/**
 * Shared pieces of the gateway tests: a started gateway over a SQLite log in a temp folder, a
 * Map-backed directory, a small stand-in for `ingestUplink` (infra may not import processors),
 * log reading and promise-based npm:mqtt clients.
 */
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { createEvent, type DomainEvent } from "../../core/events/catalog.ts";
import { decodeEvent } from "../../core/events/codec.ts";
import { topicNames } from "../../core/events/topics.ts";
import { bytesToBase64 } from "../../core/encoding.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import { hashSecret } from "../auth/secrets.ts";
import { createSqliteEventLog } from "../sqlite/sqlite_event_log.ts";
import type { DirectoryDevice } from "./device_directory.ts";
import { createEmbeddedBroker, type EmbeddedBroker, type EmbeddedBrokerOptions } from "./embedded_broker.ts";
import type { Uplink, UplinkResult } from "./uplink_intake.ts";

export const TOKEN = "s3cret-token";
export const topics = topicNames("aiot.");

/** Accepts `{"name": number, …}` on `devices/{id}/telemetry`; rejects anything else with a reason. */
export function fakeIngest(uplink: Uplink): UplinkResult {
  const options = { key: uplink.deviceId, source: "ingest" };
  let reason: string;
  try {
    if (uplink.topic !== `devices/${uplink.deviceId}/telemetry`) {
      throw new Error(`unknown topic "${uplink.topic}"`);
    }
    const body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(uplink.payload));
    const values = Object.entries(body as object).map(([name, value]) => ({ name, value, ts: Date.now() }));
    if (values.length === 0 || values.some((v) => typeof v.value !== "number")) {
      throw new Error("expected numbers");
    }
    const qos = uplink.qos === undefined ? {} : { qos: uplink.qos };
    return { ok: true, events: [createEvent("telemetry.reported", { values, ...qos }, options)] };
  } catch (error) {
    reason = (error as Error).message;
  }
  const rejected = createEvent("input.rejected", {
    topic: uplink.topic,
    reason,
    payloadBase64: bytesToBase64(uplink.payload),
    deviceId: uplink.deviceId,
  }, options);
  return {
    ok: false,
    reason,
    rejected,
    notice: { topic: uplink.topic, reason, at: new Date().toISOString() },
  };
}

export interface Gateway {
  broker: EmbeddedBroker;
  log: EventLog;
  devices: Map<string, DirectoryDevice>;
  close(): Promise<void>;
}

/** Devices `dev-1`, `dev-2` (token `TOKEN`), `dev-old` (decommissioned) and `dev-cert` (no token). */
export async function startGateway(options: Partial<EmbeddedBrokerOptions> = {}): Promise<Gateway> {
  const dir = await Deno.makeTempDir({ prefix: "aiot-mqtt-" });
  const log = options.log ?? createSqliteEventLog({ path: `${dir}/log.db` });
  await log.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: 4 })));
  const credential = await hashSecret(TOKEN, { logN: 10, r: 8, p: 1 });
  const devices = new Map<string, DirectoryDevice>([
    ["dev-1", { status: "active", credential }],
    ["dev-2", { status: "active", credential }],
    ["dev-old", { status: "decommissioned", credential }],
    ["dev-cert", { status: "active" }],
  ]);
  const broker = await createEmbeddedBroker({
    log,
    topicPrefix: "aiot.",
    directory: { findDevice: (id) => Promise.resolve(devices.get(id)) },
    ingest: fakeIngest,
    mqttPort: 0,
    host: "127.0.0.1",
    ...options,
  });
  return {
    broker,
    log,
    devices,
    async close() {
      await broker.close();
      await log.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Every event in `topic`, in log order per partition. */
export async function eventsIn(log: EventLog, topic: string): Promise<DomainEvent[]> {
  const events: DomainEvent[] = [];
  for await (const chunk of log.replay(topic)) {
    for (const record of chunk) {
      const decoded = decodeEvent(record.value);
      if (!decoded.ok) throw new Error(decoded.reason);
      events.push(decoded.event);
    }
  }
  return events;
}

/** Polls `probe` until it returns true (events are appended asynchronously to disconnects). */
export async function eventually(probe: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Connects an npm:mqtt client (MQTT 3.1.1, no reconnects); rejects with the CONNACK error. */
export function connect(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
    ...options,
  });
  return new Promise((resolve, reject) => {
    client.once("connect", () => resolve(client));
    client.once("error", (error) => {
      client.end(true);
      reject(error);
    });
  });
}

/** `dev-1` with its token on the gateway's plain port. */
export function connectDevice(gateway: Gateway, deviceId = "dev-1", options: IClientOptions = {}) {
  return connect(`mqtt://127.0.0.1:${gateway.broker.mqttPort}`, {
    clientId: deviceId,
    username: deviceId,
    password: TOKEN,
    ...options,
  });
}

export function endClient(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.end(false, {}, () => resolve()));
}
