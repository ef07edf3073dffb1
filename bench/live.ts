/**
 * Bench `live`: device publish → SSE delivery latency. The all-in-one runs as its own process
 * (embedded engines, or Kafka as the log); this process plays the devices (npm:mqtt, QoS 1) and
 * 50 SSE clients, publishes at a fixed rate and measures, for every event every client receives,
 * the time from publish to arrival (both clocks are this process's).
 */
import mqtt from "mqtt";
import { type PlatformChild, startPlatform, untilReady } from "./platform_child.ts";
import { freePort } from "../infra/dev/free_port.ts";

/** What the live measurement publishes to and streams from: the all-in-one or the baseline. */
export type LiveTarget = Pick<PlatformChild, "base" | "headers" | "mqttPort" | "register" | "stop">;

export interface LiveResult {
  label: string;
  rate: number;
  clients: number;
  delivered: number;
  expected: number;
  p50: number;
  p99: number;
  max: number;
}

const DEVICES = 20;
/** What precedes the publish time in a frame's data (the device sends `{"sent": <ms>}`). */
const SENT_MARK = '"name":"sent","value":';

/**
 * The baseline (live_baseline_server.ts): plain aedes and an SSE fan-out in a process of its own,
 * no log, no auth. Its latency is what the load generator and the machine cost by themselves.
 */
export async function startLiveBaseline(): Promise<LiveTarget> {
  const mqttPort = freePort();
  const httpPort = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      new URL("./live_baseline_server.ts", import.meta.url).pathname,
      `${mqttPort}`,
      `${httpPort}`,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  await untilReady(child, "the live baseline server");
  return {
    base: `http://127.0.0.1:${httpPort}`,
    headers: {},
    mqttPort,
    register: () => Promise.resolve("unused"),
    async stop() {
      child.kill("SIGTERM");
      await child.stdout.cancel().catch(() => {});
      await child.status;
    },
  };
}

export async function measureLive(
  label: string,
  env: Record<string, string>,
  options: {
    rate: number;
    seconds: number;
    clients: number;
    progress: (line: string) => void;
    /** Default: the all-in-one with `env`. */
    start?: () => Promise<LiveTarget>;
  },
): Promise<LiveResult> {
  // Every client streams as the same caller: lift the per-caller stream limit (default 8) to fit.
  const platform = await (options.start ??
    (() => startPlatform({ AIOT_SSE_STREAMS_PER_CALLER: String(options.clients), ...env })))();
  const { base, headers } = platform;
  const devices: mqtt.MqttClient[] = [];
  const streams: ReadableStreamDefaultReader<string>[] = [];
  try {
    for (let d = 0; d < DEVICES; d++) {
      const token = await platform.register(`live-${d}`);
      devices.push(
        await mqtt.connectAsync(`mqtt://127.0.0.1:${platform.mqttPort}`, {
          username: `live-${d}`,
          password: token,
        }),
      );
    }

    const latencies: number[] = [];
    for (let c = 0; c < options.clients; c++) {
      const response = await fetch(`${base}/api/v1/stream?types=telemetry.reported`, { headers });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      streams.push(reader);
      (async () => {
        // Parsed in place (no copy per frame): this process also publishes, and a slow reader
        // here would be measured as the platform's latency.
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
          if (done) return;
          const arrived = performance.timeOrigin + performance.now();
          buffer += value;
          let start = 0;
          let end;
          while ((end = buffer.indexOf("\n\n", start)) >= 0) {
            const at = buffer.indexOf(SENT_MARK, start);
            if (at >= 0 && at < end) {
              latencies.push(arrived - parseFloat(buffer.slice(at + SENT_MARK.length, end)));
            }
            start = end + 2;
          }
          buffer = buffer.slice(start);
        }
      })();
    }

    const total = options.rate * options.seconds;
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      const due = started + (i / options.rate) * 1000;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const sent = performance.timeOrigin + performance.now();
      devices[i % DEVICES]!.publish(`devices/live-${i % DEVICES}/telemetry`, `{"sent": ${sent.toFixed(3)}}`, {
        qos: 1,
      });
      if (i % options.rate === 0 && i > 0) {
        options.progress(`  live ${label}: ${i}/${total} published, ${latencies.length} deliveries`);
      }
    }
    const expected = total * options.clients;
    const deadline = Date.now() + 20_000;
    while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const sorted = latencies.sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
    return {
      label,
      rate: options.rate,
      clients: options.clients,
      delivered: sorted.length,
      expected,
      p50: at(0.5),
      p99: at(0.99),
      max: sorted[sorted.length - 1] ?? NaN,
    };
  } finally {
    for (const reader of streams) await reader.cancel().catch(() => {});
    for (const device of devices) device.end(true);
    await platform.stop();
  }
}
