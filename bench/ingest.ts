/**
 * Bench `ingest`: emulated devices (20 npm:mqtt connections in this process) publish telemetry
 * (~150-byte JSON) to
 * - AIOT: the all-in-one process (embedded broker → ingest → SQLite log); done when the log has
 *   them all (`aiot_log_appended_events_total{topic="aiot.telemetry"}` on /metrics);
 * - baseline: a plain aedes broker in its own process (raw_aedes.ts) with one plain npm:mqtt
 *   subscriber (QoS 1 on devices/#) in this process; done when the subscriber has them all.
 * Rate = messages / (first publish → all arrived). QoS 1 publishers keep a window of unacknowledged
 * messages per connection. The AIOT broker reads sockets through `SocketStream` (infra/mqtt), which
 * fixes the stalls of aedes under Deno in QoS 0 floods; the plain aedes baseline reads them as aedes
 * does by default, so a baseline QoS 0 round can stall (reported as such, with what arrived).
 */
import mqtt from "mqtt";
import type { Comparison, Sample } from "./harness.ts";
import { telemetryPayload } from "./telemetry_payload.ts";
import { type PlatformChild, type RawBrokerChild, startPlatform, startRawAedes } from "./platform_child.ts";

const DEVICES = 20;
const WINDOW = 500;
const TIMEOUT_MS = 180_000;
const STALL_MS = 5_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Publishes `count` messages round-robin over the clients; resolves when all are sent (QoS 0) or acked. */
export async function publishAll(
  clients: mqtt.MqttClient[],
  ids: string[],
  count: number,
  qos: 0 | 1,
): Promise<void> {
  const perClient = Math.ceil(count / clients.length);
  await Promise.all(clients.map((client, c) =>
    new Promise<void>((resolve, reject) => {
      const total = Math.min(perClient, count - c * perClient);
      if (total <= 0) return resolve();
      const topic = `devices/${ids[c]}/telemetry`;
      let sent = 0;
      let done = 0;
      const pump = () => {
        while (sent < total && sent - done < (qos === 1 ? WINDOW : 5000)) {
          const i = c * perClient + sent++;
          client.publish(topic, telemetryPayload(i), { qos }, (error) => {
            if (error) return reject(error);
            if (++done === total) resolve();
            else pump();
          });
        }
      };
      pump();
    })
  ));
}

/**
 * Polls until `target` arrived, the timeout passes, or nothing arrives for STALL_MS; returns the
 * count and the time of the last arrival (so a stall is reported as loss, not as idle time).
 */
export async function waitFor(
  count: () => number | Promise<number>,
  target: number,
  poll: number,
): Promise<{ arrived: number; at: number; stalled: boolean }> {
  const deadline = Date.now() + TIMEOUT_MS;
  let n = await count();
  let at = performance.now();
  while (n < target && Date.now() < deadline) {
    await sleep(poll);
    const now = await count();
    if (now > n) at = performance.now();
    else if (performance.now() - at > STALL_MS) return { arrived: now, at, stalled: true };
    n = now;
  }
  return { arrived: n, at: performance.now(), stalled: false };
}

/** `count` messages at `qos`, both sides; children start on first use and stop in `close`. */
export function ingestComparisons(
  counts: { qos1: number; qos0: number },
  progress: (line: string) => void = console.error,
): Comparison[] & { close?: () => Promise<void> } {
  let platform: PlatformChild | undefined;
  let aiotClients: mqtt.MqttClient[] = [];
  const ids = Array.from({ length: DEVICES }, (_, d) => `bench-ingest-${d}`);
  let raw: RawBrokerChild | undefined;
  let rawClients: mqtt.MqttClient[] = [];
  let subscriber: mqtt.MqttClient | undefined;
  let received = 0;

  const aiotSetup = async () => {
    if (platform) return;
    platform = await startPlatform();
    const started = performance.now();
    for (const id of ids) {
      const token = await platform.register(id);
      aiotClients.push(
        await mqtt.connectAsync(`mqtt://127.0.0.1:${platform.mqttPort}`, { username: id, password: token }),
      );
    }
    progress(
      `  ingest: all-in-one pid ${platform.pid}, ${DEVICES} devices registered + connected in ${
        Math.round(performance.now() - started)
      } ms`,
    );
  };
  const rawSetup = async () => {
    if (raw) return;
    raw = await startRawAedes();
    const url = `mqtt://127.0.0.1:${raw.port}`;
    subscriber = await mqtt.connectAsync(url, { clientId: "bench-subscriber" });
    await subscriber.subscribeAsync("devices/#", { qos: 1 });
    subscriber.on("message", () => received++);
    for (const id of ids) rawClients.push(await mqtt.connectAsync(url, { clientId: id }));
  };

  const aiotRun = (count: number, qos: 0 | 1) => async (): Promise<Sample> => {
    await aiotSetup();
    const p = platform!;
    const before = await p.appended("aiot.telemetry");
    const started = performance.now();
    const publishing = publishAll(aiotClients, ids, count, qos);
    const { arrived, at, stalled } = await waitFor(
      async () => (await p.appended("aiot.telemetry")) - before,
      count,
      20,
    );
    const ms = at - started;
    await Promise.race([publishing, sleep(1000)]);
    if (arrived < count) {
      progress(`  ingest AIOT QoS ${qos}: only ${arrived}/${count} in the log${stalled ? " (stalled)" : ""}`);
    }
    return { units: arrived, ms };
  };
  const rawRun = (count: number, qos: 0 | 1) => async (): Promise<Sample> => {
    await rawSetup();
    const before = received;
    const started = performance.now();
    const publishing = publishAll(rawClients, ids, count, qos);
    const { arrived, at, stalled } = await waitFor(() => received - before, count, 5);
    const ms = at - started;
    await Promise.race([publishing, sleep(1000)]);
    if (arrived < count) {
      progress(
        `  ingest raw QoS ${qos}: subscriber got only ${arrived}/${count}${stalled ? " (stalled)" : ""}`,
      );
    }
    return { units: arrived, ms };
  };

  const comparisons: Comparison[] & { close?: () => Promise<void> } = [
    {
      name: `ingest QoS 1 (${DEVICES} devices, ${counts.qos1} msgs, ~150 B JSON)`,
      unit: "msg/s",
      baseline: { label: "aedes → npm:mqtt subscriber", run: rawRun(counts.qos1, 1) },
      aiot: { label: "all-in-one broker → ingest → SQLite log", run: aiotRun(counts.qos1, 1) },
    },
    {
      name: `ingest QoS 0 (${DEVICES} devices, ${counts.qos0} msgs, ~150 B JSON)`,
      unit: "msg/s",
      baseline: { label: "aedes → npm:mqtt subscriber", run: rawRun(counts.qos0, 0) },
      aiot: { label: "all-in-one broker → ingest → SQLite log", run: aiotRun(counts.qos0, 0) },
    },
  ];
  comparisons.close = async () => {
    for (const client of [...aiotClients, ...rawClients]) client.end(true);
    subscriber?.end(true);
    aiotClients = [];
    rawClients = [];
    await platform?.stop();
    await raw?.stop();
  };
  return comparisons;
}
