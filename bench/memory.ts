/**
 * Bench `memory` (issue 18): the all-in-one (embedded engines) with 1,000 connected devices
 * publishing ~150-byte JSON telemetry at QoS 1 at 10k msg/s in total for 60 s (`--quick`: 15 s),
 * then 10 s idle — once as `deno task start` runs it and once with the lean profile's V8 flags
 * (`deno task start:lean`, infra/all_in_one/lean_profile.ts). Reports the process's resident memory when idle, once the devices are
 * connected, its peak (VmHWM) and at the end, and each JavaScript thread's V8 heap as the platform
 * reports it on `/metrics` at the moment the sampled RSS was highest — so a peak can be told apart
 * into heap and the rest (runtime, SQLite, buffers). Overrides: AIOT_BENCH_MEMORY_DEVICES,
 * _RATE, _SECONDS; AIOT_BENCH_MEMORY_ENV (JSON) adds environment to the platform (e.g. a
 * `DENO_V8_FLAGS` or `AIOT_LOG_TAIL_RECORDS` to compare).
 */
import { connectFleet } from "./e2e_load.ts";
import { sampleValue } from "./prom_text.ts";
import { registerDevices } from "./e2e_topologies.ts";
import { startPlatform } from "./platform_child.ts";
import { PLATFORM_BUDGET_MIB, statusMiB } from "./rss_budget.ts";
import { LEAN_ENV, LEAN_V8_FLAGS } from "../infra/all_in_one/lean_profile.ts";

export interface MemoryResult {
  profile: string;
  devices: number;
  rate: number;
  seconds: number;
  acked: number;
  /** Acknowledged messages / time from the first publish to the last PUBACK. */
  achievedRate: number;
  idleMiB: number;
  connectedMiB: number;
  peakMiB: number;
  finalMiB: number;
  /** V8 heap in use / reserved per thread (MiB) at the highest sampled RSS. */
  heapsAtPeak: Record<string, { usedMiB: number; totalMiB: number }>;
  budgetMiB: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The platform's JavaScript threads (infra/all_in_one/memory_metrics.ts). */
const THREADS = ["main", "projection-thread"];

async function heaps(base: string, headers: Record<string, string>) {
  const text = await fetch(`${base}/metrics`, { headers }).then((r) => r.text());
  const mib = (name: string, thread: string) => sampleValue(text, name, { thread }) / 1048576;
  return Object.fromEntries(THREADS.map((thread) => [thread, {
    usedMiB: mib("aiot_heap_used_bytes", thread),
    totalMiB: mib("aiot_heap_total_bytes", thread),
  }]));
}

export async function measureMemory(
  options: { quick: boolean; progress: (line: string) => void },
): Promise<MemoryResult[]> {
  const results: MemoryResult[] = [];
  for (const profile of ["default", "lean"] as const) {
    options.progress(`  memory: ${profile} profile`);
    results.push(await measureProfile(profile, options));
  }
  return results;
}

async function measureProfile(
  profile: "default" | "lean",
  options: { quick: boolean; progress: (line: string) => void },
): Promise<MemoryResult> {
  const env = (name: string, fallback: number) =>
    Number(Deno.env.get(`AIOT_BENCH_MEMORY_${name}`) ?? fallback);
  const devices = env("DEVICES", 1000);
  const rate = env("RATE", 10_000);
  const seconds = env("SECONDS", options.quick ? 15 : 60);
  const extraEnv = JSON.parse(Deno.env.get("AIOT_BENCH_MEMORY_ENV") ?? "{}") as Record<string, string>;
  const platform = profile === "lean"
    ? await startPlatform({ ...LEAN_ENV, ...extraEnv }, { v8Flags: LEAN_V8_FLAGS })
    : await startPlatform(extraEnv);
  try {
    const idleMiB = statusMiB(platform.pid, "VmRSS");
    const started = performance.now();
    const registered = await registerDevices(
      platform,
      Array.from({ length: devices }, (_, d) => `mem-${d}`),
    );
    const fleet = await connectFleet(`mqtt://127.0.0.1:${platform.mqttPort}`, registered);
    const connectedMiB = statusMiB(platform.pid, "VmRSS");
    options.progress(
      `  memory: ${devices} devices registered and connected in ${
        Math.round(performance.now() - started)
      } ms; RSS idle ${Math.round(idleMiB)} MiB, connected ${Math.round(connectedMiB)} MiB`,
    );
    let sampledPeak = 0;
    let heapsAtPeak: MemoryResult["heapsAtPeak"] = {};
    let sampling = false;
    const sampler = setInterval(async () => {
      const rss = statusMiB(platform.pid, "VmRSS");
      if (rss <= sampledPeak || sampling) return;
      sampledPeak = rss;
      sampling = true;
      heapsAtPeak = await heaps(platform.base, platform.headers).catch(() => heapsAtPeak);
      sampling = false;
    }, 500);
    const reporter = setInterval(() => {
      options.progress(
        `    acked ${fleet.acked}, RSS ${Math.round(statusMiB(platform.pid, "VmRSS"))} MiB`,
      );
    }, 5000);
    try {
      const sendUntil = performance.now() + seconds * 2000;
      const published = await fleet.publish(rate, seconds, { sendUntil, deadline: sendUntil + 30_000 });
      const achievedRate = published.acked / ((performance.now() - published.firstAt) / 1000);
      await sleep(10_000);
      const result: MemoryResult = {
        profile: profile === "lean" ? `lean (--v8-flags=${LEAN_V8_FLAGS})` : "default (deno task start)",
        devices,
        rate,
        seconds,
        acked: published.acked,
        achievedRate,
        idleMiB,
        connectedMiB,
        peakMiB: statusMiB(platform.pid, "VmHWM"),
        finalMiB: statusMiB(platform.pid, "VmRSS"),
        heapsAtPeak,
        budgetMiB: PLATFORM_BUDGET_MIB,
      };
      return result;
    } finally {
      clearInterval(sampler);
      clearInterval(reporter);
      await fleet.close();
    }
  } finally {
    await platform.stop();
  }
}
