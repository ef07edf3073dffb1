/**
 * Bench `rules`, latency: device publish → `alert.raised` frame on `/api/v1/stream`. The
 * all-in-one runs as its own process on the embedded engines (bench/platform_child.ts); this
 * process plays 20 MQTT devices (QoS 1) publishing at a fixed rate, every Nth message with a
 * violating value (the next message of that device is normal again, so each one raises an alert),
 * and one SSE client (which also gets every `telemetry.reported`: the same run's latency without
 * the rules processor in the way). A message's `ts` is its publish time, and an alert's `raisedAt` is the event
 * time of the point that raised it, so latency = frame arrival − `raisedAt` on this process's clock.
 */
import mqtt from "mqtt";
import { type PlatformChild, startPlatform } from "./platform_child.ts";
import { cpuSeconds } from "./proc_stats.ts";

export interface RulesLatencyResult {
  rate: number;
  seconds: number;
  /** Violating messages published, and `alert.raised` frames received for them. */
  expected: number;
  received: number;
  p50: number;
  p99: number;
  max: number;
  /** The split at the alert's `ingestedAt` (when the rules processor made it): before and after. */
  toProcessor: { p50: number; p99: number };
  toClient: { p50: number; p99: number };
  /** The same run's publish → `telemetry.reported` frame, the hop without the rules processor. */
  telemetry: { p50: number; p99: number };
  /** CPU the platform process used while publishing, in cores (1 = one core busy). */
  platformCores: number;
  /** The machine's 1-minute load average at the end (2 cores). */
  loadAverage: number;
  /** Seconds into the run (by publish time) of the alerts slower than 100 ms: a stall or a spread. */
  slowAtSeconds: number[];
}

const DEVICES = 20;
/** Every Nth message violates; N must not divide DEVICES, so a device's next message is normal. */
const EVERY = 25;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const wallNow = () => performance.timeOrigin + performance.now();

async function waitFor(what: string, probe: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!await probe()) {
    if (Date.now() > deadline) throw new Error(`rules latency: timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function api(platform: PlatformChild, method: string, path: string, body?: unknown) {
  const response = await fetch(`${platform.base}/api/v1${path}`, {
    method,
    headers: platform.headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * Reads `alert.raised` frames, calling `onRaised(raisedAt, madeAt, arrival)` for each, and
 * `telemetry.reported` ones, calling `onTelemetry(ts, arrival)`.
 */
function readFrames(
  response: Response,
  onRaised: (raisedAt: number, madeAt: number, arrival: number) => void,
  onTelemetry: (ts: number, arrival: number) => void,
) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  (async () => {
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      const arrival = wallNow();
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (frame.startsWith("event: telemetry.reported")) {
          const ts = frame.match(/"ts":(\d+)/);
          if (ts) onTelemetry(Number(ts[1]), arrival);
          continue;
        }
        const match = frame.startsWith("event: alert.raised") && frame.match(/"raisedAt":(\d+)/);
        const made = frame.match(/"ingestedAt":"([^"]+)"/);
        if (match) onRaised(Number(match[1]), made ? Date.parse(made[1]!) : NaN, arrival);
      }
    }
  })();
  return reader;
}

export async function measureRulesLatency(
  options: {
    rate: number;
    seconds: number;
    progress: (line: string) => void;
    /** A platform started by the caller (e.g. under a profiler), left running; default: a fresh child. */
    platform?: PlatformChild;
  },
): Promise<RulesLatencyResult> {
  const platform = options.platform ?? await startPlatform();
  const devices: mqtt.MqttClient[] = [];
  let reader: ReadableStreamDefaultReader<string> | undefined;
  try {
    for (let d = 0; d < DEVICES; d++) {
      const token = await platform.register(`rl-${d}`);
      devices.push(
        await mqtt.connectAsync(`mqtt://127.0.0.1:${platform.mqttPort}`, {
          username: `rl-${d}`,
          password: token,
        }),
      );
    }
    const publish = (d: number, temperature: number) => {
      const ts = Math.floor(wallNow());
      devices[d]!.publish(
        `devices/rl-${d}/telemetry`,
        `{"ts":${ts},"values":{"temperature":${temperature}}}`,
        {
          qos: 1,
        },
      );
    };
    // A rule needs a metric some device reported (the API refuses a typo otherwise).
    publish(0, 20);
    await waitFor(
      "the first metric",
      async () => ((await api(platform, "GET", "/devices/rl-0/metrics")).items ?? []).length > 0,
    );
    await api(platform, "POST", "/rules", {
      id: "bench-hot",
      name: "Bench too hot",
      severity: "critical",
      condition: { kind: "threshold", metric: "temperature", op: ">", value: 100 },
      clear: { hysteresis: 5 },
    });

    const latencies: number[] = [];
    const toProcessor: number[] = [];
    const toClient: number[] = [];
    const telemetry: number[] = [];
    const slow: number[] = [];
    let measuring = false;
    let warmed = false;
    const response = await fetch(`${platform.base}/api/v1/stream?types=alert.raised,telemetry.reported`, {
      headers: platform.headers,
    });
    reader = readFrames(response, (raisedAt, madeAt, arrival) => {
      if (!measuring) return void (warmed = true);
      latencies.push(arrival - raisedAt);
      if (arrival - raisedAt > 100) slow.push(raisedAt);
      toProcessor.push(madeAt - raisedAt);
      toClient.push(arrival - madeAt);
    }, (ts, arrival) => measuring && telemetry.push(arrival - ts));
    // Warm-up: the rule has reached the processor once a violation raises; then back to normal.
    for (let attempt = 0; !warmed; attempt++) {
      if (attempt > 300) throw new Error("rules latency: no alert raised in warm-up");
      publish(1, 150);
      await sleep(100);
      publish(1, 20);
      await sleep(100);
    }
    for (let d = 0; d < DEVICES; d++) publish(d, 20);
    await sleep(500);
    measuring = true;

    const total = options.rate * options.seconds;
    let expected = 0;
    const tracked = { label: "platform", pid: platform.pid };
    const cpuBefore = cpuSeconds(tracked);
    const started = performance.now();
    const startedAt = wallNow();
    for (let i = 0; i < total; i++) {
      const due = started + (i / options.rate) * 1000;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const violating = i % EVERY === 0;
      if (violating) expected++;
      publish(i % DEVICES, violating ? 150 : 20 + (i % 7));
      if (i % options.rate === 0 && i > 0) {
        options.progress(`  rules latency: ${i}/${total} published, ${latencies.length}/${expected} alerts`);
      }
    }
    const platformCores = (cpuSeconds(tracked) - cpuBefore) / ((performance.now() - started) / 1000);
    await waitFor("every alert", () => latencies.length >= expected, 20_000).catch(() => {});
    const sorted = latencies.sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
    const quantiles = (values: number[]) => {
      const s = [...values].sort((a, b) => a - b);
      const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
      return { p50: q(0.5), p99: q(0.99) };
    };
    return {
      toProcessor: quantiles(toProcessor),
      toClient: quantiles(toClient),
      telemetry: quantiles(telemetry),
      platformCores,
      loadAverage: Number((await Deno.readTextFile("/proc/loadavg")).split(" ")[0]),
      slowAtSeconds: [...new Set(slow.map((t) => Math.floor((t - startedAt) / 1000)))],
      rate: options.rate,
      seconds: options.seconds,
      expected,
      received: sorted.length,
      p50: at(0.5),
      p99: at(0.99),
      max: sorted[sorted.length - 1] ?? NaN,
    };
  } finally {
    await reader?.cancel().catch(() => {});
    for (const device of devices) device.end(true);
    if (!options.platform) await platform.stop();
  }
}
