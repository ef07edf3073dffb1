/**
 * The steady device load of the fault suite: one npm:mqtt connection per device, QoS 1 telemetry
 * at a fixed total rate, round-robin, with a window of unacknowledged messages per connection (a
 * platform that slows down slows the publishers instead of queueing without bound).
 *
 * Every message carries `seq` (1, 2, … per device) and `ts` (epoch ms, strictly increasing per
 * device), so the stores can be checked message by message: a message is in the time series iff
 * its `seq` point at `ts` is. The load remembers, per device and `seq`, the `ts` and whether the
 * PUBACK came back — acknowledged means the device may forget the message.
 */
import mqtt from "mqtt";

export interface LoadDevice {
  id: string;
  token: string;
}

export interface SentMessage {
  deviceId: string;
  seq: number;
  ts: number;
  acked: boolean;
}

export interface DeviceLoad {
  /** Every telemetry message sent so far, in send order. */
  readonly messages: readonly SentMessage[];
  readonly acked: number;
  readonly disconnects: number;
  /** Publishes a payload that is not JSON, containing `marker` (the DLQ must hold exactly these). */
  publishMalformed(marker: string): Promise<void>;
  /** Stops sending and waits (until `deadline`, epoch ms) for outstanding PUBACKs. */
  stop(deadline: number): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startDeviceLoad(
  url: string,
  devices: LoadDevice[],
  options: { rate: number; window?: number },
): Promise<DeviceLoad> {
  const window = options.window ?? 50;
  const clients: mqtt.MqttClient[] = [];
  let disconnects = 0;
  for (let i = 0; i < devices.length; i += 20) {
    clients.push(
      ...await Promise.all(
        devices.slice(i, i + 20).map(async ({ id, token }) => {
          const client = await mqtt.connectAsync(url, {
            clientId: id,
            username: id,
            password: token,
            connectTimeout: 30_000,
            reconnectPeriod: 1_000,
          });
          client.on("close", () => disconnects++);
          return client;
        }),
      ),
    );
  }
  const messages: SentMessage[] = [];
  const inflight = devices.map(() => 0);
  const seqOf = devices.map(() => 0);
  const lastTs = devices.map(() => 0);
  let acked = 0;
  let sending = true;
  let malformed = 0;

  const loop = (async () => {
    const started = performance.now();
    let sent = 0;
    let cursor = 0;
    while (sending) {
      const due = Math.floor(((performance.now() - started) * options.rate) / 1000);
      while (sent < due && sending) {
        let d = -1;
        for (let tries = 0; tries < devices.length; tries++) {
          const candidate = (cursor + tries) % devices.length;
          if (inflight[candidate]! < window) {
            d = candidate;
            break;
          }
        }
        // Every window full: the platform is behind; skip this slot rather than queue it.
        if (d < 0) {
          sent = due;
          break;
        }
        cursor = (d + 1) % devices.length;
        const ts = Math.max(Date.now(), lastTs[d]! + 1);
        lastTs[d] = ts;
        const message: SentMessage = { deviceId: devices[d]!.id, seq: ++seqOf[d]!, ts, acked: false };
        messages.push(message);
        inflight[d]!++;
        sent++;
        const payload = JSON.stringify({ ts, seq: message.seq, temperature: 20 + (message.seq % 100) / 10 });
        clients[d]!.publish(`devices/${message.deviceId}/telemetry`, payload, { qos: 1 }, (error) => {
          inflight[d]!--;
          if (!error) {
            message.acked = true;
            acked++;
          }
        });
      }
      await sleep(Math.max(1, Math.min(5, 1000 / options.rate)));
    }
  })();

  return {
    messages,
    get acked() {
      return acked;
    },
    get disconnects() {
      return disconnects;
    },
    publishMalformed(marker) {
      const client = clients[malformed++ % clients.length]!;
      const id = devices[(malformed - 1) % devices.length]!.id;
      return new Promise((resolve, reject) =>
        client.publish(
          `devices/${id}/telemetry`,
          `{"fault-marker": "${marker}", "temperature": `,
          { qos: 1 },
          (error) => error ? reject(error) : resolve(),
        )
      );
    },
    async stop(deadline) {
      sending = false;
      await loop;
      while (inflight.some((n) => n > 0) && Date.now() < deadline) await sleep(10);
    },
    async close() {
      sending = false;
      await loop;
      await Promise.all(clients.map((client) => client.endAsync(true).catch(() => {})));
    },
  };
}
