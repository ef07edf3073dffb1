/**
 * The device side of the `e2e` bench: one npm:mqtt connection per emulated device (in the bench
 * process), publishing ~150-byte flat JSON telemetry at QoS 1 at a fixed total rate, round-robin
 * over the devices, with a window of unacknowledged messages per connection (a device whose
 * window is full is skipped until PUBACKs come back, so a slow platform slows the publishers
 * instead of queueing without bound).
 *
 * Every payload carries `ts` = publish time (epoch ms), strictly increasing per device: points
 * are keyed by (device, metric, time), so two messages of one device in the same millisecond
 * would be one point. The platform's `aiot_event_age_seconds` is measured from it.
 */
import mqtt from "mqtt";
import { telemetryPayload } from "./telemetry_payload.ts";

/** The per-device message number (1, 2, …): its latest value tells how many messages of the device are stored. */
export const SEQ_METRIC = "seq";

export interface Device {
  id: string;
  token: string;
}

export interface PublishResult {
  sent: number;
  acked: number;
  /** Epoch ms of the first publish and the newest ts acknowledged, over all devices. */
  firstTs: number;
  lastTs: number;
  /** Per device: the ts of its newest acknowledged message. */
  lastAckedTs: Map<string, number>;
  /** `performance.now()` at the first publish. */
  firstAt: number;
}

export interface Fleet {
  /**
   * Publishes `rate × seconds` messages paced at `rate`, stops sending at `sendUntil` and waiting
   * for PUBACKs at `deadline` (both `performance.now()` values).
   */
  publish(
    rate: number,
    seconds: number,
    until: { sendUntil: number; deadline: number },
  ): Promise<PublishResult>;
  /** Connection losses since the fleet connected. */
  readonly disconnects: number;
  /** PUBACKs received since the fleet connected (progress reports). */
  readonly acked: number;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connects every device (MQTT 3.1.1, username = id, password = token) to `url`. */
export async function connectFleet(
  url: string,
  devices: Device[],
  options: { window?: number } = {},
): Promise<Fleet> {
  const window = options.window ?? 100;
  const clients: mqtt.MqttClient[] = [];
  let disconnects = 0;
  try {
    for (let i = 0; i < devices.length; i += 20) {
      clients.push(
        ...await Promise.all(
          devices.slice(i, i + 20).map(async ({ id, token }) => {
            const client = await mqtt.connectAsync(url, {
              clientId: id,
              username: id,
              password: token,
              connectTimeout: 10_000,
            });
            client.on("close", () => disconnects++);
            return client;
          }),
        ),
      );
    }
  } catch (error) {
    for (const client of clients) client.end(true);
    throw error;
  }
  const lastTs = new Map<string, number>(devices.map((d) => [d.id, 0]));
  /** Per device, the number of messages it published: its newest stored `seq` says how many are stored. */
  const seqOf = devices.map(() => 0);
  let totalAcked = 0;

  return {
    get disconnects() {
      return disconnects;
    },
    get acked() {
      return totalAcked;
    },
    async publish(rate, seconds, { sendUntil, deadline }) {
      const total = Math.round(rate * seconds);
      const inflight = devices.map(() => 0);
      const lastAckedTs = new Map<string, number>();
      let sent = 0;
      let acked = 0;
      let cursor = 0;
      let firstTs = 0;
      let firstAt = 0;
      let newest = 0;
      let wake: (() => void) | undefined;
      const started = performance.now();
      while (sent < total && performance.now() < Math.min(sendUntil, deadline)) {
        const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000));
        let blocked = false;
        while (sent < due) {
          let d = -1;
          for (let tries = 0; tries < devices.length; tries++) {
            const candidate = (cursor + tries) % devices.length;
            if (inflight[candidate]! < window) {
              d = candidate;
              break;
            }
          }
          if (d < 0) {
            blocked = true;
            break;
          }
          cursor = (d + 1) % devices.length;
          const id = devices[d]!.id;
          const ts = Math.max(Date.now(), lastTs.get(id)! + 1);
          lastTs.set(id, ts);
          if (sent === 0) [firstTs, firstAt] = [ts, performance.now()];
          inflight[d]!++;
          sent++;
          clients[d]!.publish(
            `devices/${id}/telemetry`,
            telemetryPayload(++seqOf[d]!, ts),
            { qos: 1 },
            (error) => {
              inflight[d]!--;
              if (!error) {
                acked++;
                totalAcked++;
                if (ts > (lastAckedTs.get(id) ?? 0)) lastAckedTs.set(id, ts);
                if (ts > newest) newest = ts;
              }
              wake?.();
            },
          );
        }
        // Window full: wait for a PUBACK; else for the next due message.
        if (blocked) await new Promise<void>((resolve) => (wake = resolve, setTimeout(resolve, 5)));
        else await sleep(Math.max(1, Math.min(5, 1000 / rate)));
        wake = undefined;
      }
      while (acked < sent && performance.now() < deadline && inflight.some((n) => n > 0)) await sleep(5);
      return { sent, acked, firstTs, lastTs: newest, lastAckedTs, firstAt };
    },
    async close() {
      await Promise.all(clients.map((client) => client.endAsync(true).catch(() => {})));
    },
  };
}
