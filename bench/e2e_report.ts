/**
 * The `e2e` bench's settings (quick / full, `AIOT_BENCH_E2E_*` overrides) and its two tables:
 * throughput, loss and latency per mode and step; CPU and peak memory per process.
 */
import type { E2eOptions, Latency, StepResult, StoreArrival } from "./e2e.ts";
import { METRICS_PER_MESSAGE } from "./telemetry_payload.ts";

interface Table {
  title: string;
  header: string[];
  rows: (string | number)[][];
}

const numbers = (name: string, fallback: number[]) =>
  Deno.env.get(name)?.split(",").map(Number).filter((n) => n > 0) ?? fallback;
const number = (name: string, fallback: number) => numbers(name, [fallback])[0] ?? fallback;

/**
 * Quick: 50 devices, 5 s per step, 10 s drain (about a minute for the three modes). Full: 100
 * devices, 20 s per step, 30 s drain. Overrides: AIOT_BENCH_E2E_RATES, _REAL_RATES, _SECONDS,
 * _DRAIN_SECONDS, _DEVICES, _GATEWAYS (comma-separated numbers) and _MODES
 * (embedded,real,real-sqlite-ts).
 */
export function e2eOptions(quick: boolean, progress: (line: string) => void): E2eOptions {
  const known = ["embedded", "real", "real-sqlite-ts"] as const;
  const modes = (Deno.env.get("AIOT_BENCH_E2E_MODES") ?? known.join(",")).split(",")
    .filter((m): m is typeof known[number] => (known as readonly string[]).includes(m));
  return {
    rates: {
      embedded: numbers(
        "AIOT_BENCH_E2E_RATES",
        quick ? [5000, 10_000, 20_000] : [5000, 10_000, 15_000, 20_000, 30_000],
      ),
      real: numbers("AIOT_BENCH_E2E_REAL_RATES", quick ? [1000] : [1000, 2000, 5000, 10_000]),
    },
    seconds: number("AIOT_BENCH_E2E_SECONDS", quick ? 5 : 20),
    drainMs: number("AIOT_BENCH_E2E_DRAIN_SECONDS", quick ? 10 : 30) * 1000,
    devices: number("AIOT_BENCH_E2E_DEVICES", quick ? 50 : 100),
    gateways: number("AIOT_BENCH_E2E_GATEWAYS", 2),
    modes,
    progress,
  };
}

function latency(l: Latency): string {
  if (!l) return "n/a";
  if ("ms" in l) return l.ms < 10 ? l.ms.toFixed(1) : String(Math.round(l.ms));
  return `>${Math.round(l.moreThanMs)}`;
}

const arrivedText = (a: StoreArrival) => `${a.arrived}/${a.expected}`;

function loss(step: StepResult): string {
  if (!step.complete) {
    const behind = (a: StoreArrival) => Math.max(0, a.expected - a.arrived);
    return `n/a (behind at deadline: time series ${behind(step.timeseries)} msgs, read models ${
      behind(step.readmodels)
    } events)`;
  }
  const lost = Math.max(0, step.points.expected - step.points.stored) +
    Math.max(0, step.readmodels.expected - step.readmodels.arrived);
  return String(lost);
}

function status(step: StepResult): string {
  const when = (a: StoreArrival) =>
    a.completeMs === undefined ? "not complete" : `${Math.round(a.completeMs)} ms`;
  return `time series ${when(step.timeseries)}, read models ${when(step.readmodels)}` +
    (step.disconnects > 0 ? `; ${step.disconnects} device disconnects` : "");
}

export function e2eTables(
  options: E2eOptions,
  { steps, notes }: { steps: StepResult[]; notes: string[] },
): Table[] {
  const skipped = notes.length ? ` — ${notes.join("; ")}` : "";
  return [
    {
      title: `e2e: ${options.devices} devices → MQTT (QoS 1) → ingest → log → time series + read models; ` +
        `${options.seconds} s per step, ~150 B JSON, ${METRICS_PER_MESSAGE} metrics/msg; ` +
        `latency = publish ts → stored (aiot_event_age_seconds)${skipped}`,
      header: [
        "mode",
        "target msg/s",
        "sent / acked",
        "in log",
        "sustained msg/s",
        "time series msgs (points)",
        "read models events",
        "lost",
        "time series p50 / p99 ms",
        "read models p50 / p99 ms",
        "all in store after (from first publish)",
      ],
      rows: steps.map((s) => [
        s.mode,
        s.target,
        `${s.sent} / ${s.acked}`,
        s.inLog,
        Math.round(s.sustained),
        `${arrivedText(s.timeseries)} (${s.points.stored}/${s.points.expected})`,
        arrivedText(s.readmodels),
        loss(s),
        `${latency(s.timeseries.p50)} / ${latency(s.timeseries.p99)}`,
        `${latency(s.readmodels.p50)} / ${latency(s.readmodels.p99)}`,
        status(s),
      ]),
    },
    {
      title: "e2e: CPU and peak RSS per process, from the first publish until stored (or the deadline); " +
        "peak = VmHWM of processes the run started, else the largest of samples every 0.5 s (PostgreSQL: summed PSS); " +
        "› rows: the all-in-one's threads (main: broker, ingest, API; worker-N (nice 10): projectors; " +
        "the other worker-N: the log writer)",
      header: ["mode", "target msg/s", "process", "CPU s", "% of one core", "peak RSS MiB"],
      rows: steps.flatMap((s) =>
        s.usage.map((u) => [
          s.mode,
          s.target,
          u.label,
          u.cpuSeconds.toFixed(1),
          Math.round(u.cpuPercent),
          Number.isNaN(u.peakMiB) ? "(process)" : Math.round(u.peakMiB),
        ])
      ),
    },
  ];
}
