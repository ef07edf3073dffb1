/**
 * The soak of issue 17 (a flag run, never in CI): the all-in-one platform (embedded engines, fresh
 * data dir) as a child process under QoS 1 telemetry from N devices at a fixed total rate for a
 * long time, while a share of the devices is knocked off and reconnects every minute. It samples
 * the child's RSS and CPU, and at the end compares the RSS after warm-up (20% of the run) with the
 * RSS at the end: the run passes when it grew by less than 10% and every acknowledged message is
 * stored.
 *
 * A device is knocked off by a second connection with its client id (an MQTT session takeover):
 * the broker closes the device's connection, and the device's npm:mqtt client reconnects a second
 * later by itself and resends its unacknowledged messages — the load needs no hook for it.
 *
 * `deno run -A bench/soak.ts --minutes 30 --rate 2000 --devices 1000 [--churn 5]`
 * (`--churn`: % of the devices reconnecting per minute). Progress goes to stderr, the report to
 * stdout and `bench/results/<time>-soak.json`; the exit code is 1 when the run fails.
 */
import mqtt from "mqtt";
import { parseArgs } from "node:util";
import { startDeviceLoad } from "../infra/faults/device_load.ts";
import { DatabaseSync } from "node:sqlite";
import { startPlatform } from "./platform_child.ts";
import { cpuSeconds, rssMiB } from "./proc_stats.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    minutes: { type: "string", default: "30" },
    rate: { type: "string", default: "2000" },
    devices: { type: "string", default: "1000" },
    churn: { type: "string", default: "5" },
    "sample-seconds": { type: "string", default: "5" },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const deviceCount = Number(values.devices);
const churnPercent = Number(values.churn);
const sampleMs = Number(values["sample-seconds"]) * 1000;
/** The issue's criterion: RSS at the end at most 10% above the RSS after warm-up. */
const MAX_GROWTH_PERCENT = 10;
const WARM_UP_SHARE = 0.2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => console.error(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);

interface Sample {
  second: number;
  rssMiB: number;
  cpuSeconds: number;
  acked: number;
}

/** Gauges of `/metrics` (not counters or histogram parts): where memory might be held. */
async function gauges(base: string, headers: Record<string, string>): Promise<Map<string, number>> {
  const text = await fetch(`${base}/metrics`, { headers }).then((r) => r.text(), () => "");
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || !line.trim()) continue;
    const name = line.slice(0, line.lastIndexOf(" "));
    if (/(_total|_bucket|_sum|_count)(\{|$)/.test(name)) continue;
    out.set(name, Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return out;
}

/** Takes over the device's session with a second connection and leaves at once. */
async function knockOff(url: string, id: string, token: string): Promise<void> {
  const intruder = await mqtt.connectAsync(url, {
    clientId: id,
    username: id,
    password: token,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  await intruder.endAsync(true);
}

log(
  `starting the platform (${minutes} min, ${rate} msg/s, ${deviceCount} devices, churn ${churnPercent}%/min)`,
);
const platform = await startPlatform();
const tracked = { label: "all-in-one", pid: platform.pid };
try {
  const devices: { id: string; token: string }[] = [];
  for (let i = 0; i < deviceCount; i += 20) {
    const ids = Array.from({ length: Math.min(20, deviceCount - i) }, (_, j) => `soak-${i + j}`);
    devices.push(...await Promise.all(ids.map(async (id) => ({ id, token: await platform.register(id) }))));
  }
  log(`${devices.length} devices registered; connecting`);
  const url = `mqtt://127.0.0.1:${platform.mqttPort}`;
  const load = await startDeviceLoad(url, devices, { rate });
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const cpu0 = cpuSeconds(tracked);
  const samples: Sample[] = [];
  let takeovers = 0;
  let takeoverFailures = 0;
  let warmGauges = new Map<string, number>();
  const endAt = minutes * 60;

  // Churn: spread evenly over the minute, one device at a time, cycling through the fleet.
  const churnLoop = (async () => {
    const perMinute = Math.round((deviceCount * churnPercent) / 100);
    if (perMinute === 0) return;
    const gapMs = 60_000 / perMinute;
    let next = 0;
    while (seconds() < endAt) {
      const device = devices[next++ % devices.length]!;
      await knockOff(url, device.id, device.token).then(() => takeovers++, () => takeoverFailures++);
      await sleep(gapMs);
    }
  })();

  let lastProgress = 0;
  while (seconds() < endAt) {
    await sleep(sampleMs);
    const sample = {
      second: seconds(),
      rssMiB: rssMiB(tracked),
      cpuSeconds: cpuSeconds(tracked) - cpu0,
      acked: load.acked,
    };
    samples.push(sample);
    if (warmGauges.size === 0 && sample.second >= endAt * WARM_UP_SHARE) {
      warmGauges = await gauges(platform.base, platform.headers);
    }
    if (sample.second - lastProgress >= 30) {
      const prev = samples.find((s) => s.second >= lastProgress) ?? sample;
      const ackRate = (sample.acked - prev.acked) / Math.max(1, sample.second - prev.second);
      log(
        `${Math.round(sample.second)}/${endAt} s: sent ${load.messages.length}, acked ${sample.acked} ` +
          `(${Math.round(ackRate)}/s), RSS ${sample.rssMiB.toFixed(0)} MiB, ` +
          `CPU ${((sample.cpuSeconds / sample.second) * 100).toFixed(0)}%, takeovers ${takeovers}, ` +
          `disconnects seen ${load.disconnects}`,
      );
      lastProgress = sample.second;
    }
  }
  await churnLoop;
  const endGauges = await gauges(platform.base, platform.headers);
  await load.stop(Date.now() + 30_000);
  const disconnectsSeen = load.disconnects; // before close(), whose own closes count too
  const loadSeconds = seconds();
  log(`load stopped: ${load.messages.length} sent, ${load.acked} acknowledged; waiting for the stores`);

  // Stored: each device's newest `seq` point (its messages are stored in order) and, to prove
  // nothing before it is missing, the exact count of `seq` points in the run's time range.
  const acked = load.messages.filter((m) => m.acked);
  const lastAcked = new Map<string, number>();
  for (const m of acked) lastAcked.set(m.deviceId, Math.max(lastAcked.get(m.deviceId) ?? 0, m.seq));
  // The time-series file directly (bench/e2e_stores.ts' `embeddedStores` also reads
  // the read-model checkpoints).
  const ts = new DatabaseSync(`${platform.dataDir}/timeseries.db`, { readOnly: true });
  ts.exec("PRAGMA busy_timeout = 5000");
  const latestSeq = ts.prepare(
    "SELECT s.device_id AS d, l.v AS v FROM ts_series s JOIN ts_latest l ON l.series = s.id WHERE s.metric = 'seq'",
  );
  const seqPoints = ts.prepare(
    "SELECT count(*) AS n FROM ts_series s JOIN ts_points p ON p.series = s.id AND s.metric = 'seq' AND p.t BETWEEN ? AND ?",
  );
  const firstTs = load.messages[0]?.ts ?? 0;
  const lastTs = load.messages.at(-1)?.ts ?? 0;
  let storedMessages = 0;
  let storedInOrder = 0;
  const storeDeadline = Date.now() + 120_000;
  for (;;) {
    const latest = new Map((latestSeq.all() as { d: string; v: number }[]).map(({ d, v }) => [d, Number(v)]));
    storedInOrder = [...latest.values()].reduce((sum, seq) => sum + seq, 0);
    storedMessages = Number((seqPoints.get(firstTs, lastTs) as { n: number }).n);
    const caughtUp = [...lastAcked].every(([id, seq]) => (latest.get(id) ?? 0) >= seq);
    if ((caughtUp && storedMessages >= acked.length) || Date.now() > storeDeadline) break;
    await sleep(500);
  }
  ts.close();
  await load.close();

  const warm = samples.find((s) => s.second >= endAt * WARM_UP_SHARE) ?? samples[0]!;
  const end = samples.at(-1)!;
  const growth = ((end.rssMiB - warm.rssMiB) / warm.rssMiB) * 100;
  const after = samples.filter((s) => s.second >= warm.second);
  // Least-squares slope of RSS after warm-up: a trend rather than two noisy points.
  const mx = after.reduce((a, s) => a + s.second, 0) / after.length;
  const my = after.reduce((a, s) => a + s.rssMiB, 0) / after.length;
  const slope = after.reduce((a, s) => a + (s.second - mx) * (s.rssMiB - my), 0) /
    Math.max(1e-9, after.reduce((a, s) => a + (s.second - mx) ** 2, 0));
  const gaugeChanges = [...endGauges]
    .map(([name, v]) => ({ name, warm: warmGauges.get(name) ?? NaN, end: v }))
    .filter((g) => g.warm !== g.end)
    .sort((a, b) =>
      Math.abs(b.end - b.warm) / (Math.abs(b.warm) || 1) - Math.abs(a.end - a.warm) / (Math.abs(a.warm) || 1)
    )
    .slice(0, 15);
  const lost = acked.length - storedMessages;
  const passed = growth < MAX_GROWTH_PERCENT && lost <= 0;
  const report = {
    at: new Date().toISOString(),
    machine: { cores: navigator.hardwareConcurrency, deno: Deno.version.deno },
    options: { minutes, rate, devices: deviceCount, churnPercentPerMinute: churnPercent },
    sent: load.messages.length,
    acknowledged: acked.length,
    ackedPerSecond: acked.length / loadSeconds,
    storedMessages,
    storedInOrder,
    lost,
    takeovers,
    takeoverFailures,
    disconnectsSeen,
    rss: {
      warmUpAtSecond: Math.round(warm.second),
      warmUpMiB: warm.rssMiB,
      endMiB: end.rssMiB,
      growthPercent: growth,
      maxMiB: Math.max(...samples.map((s) => s.rssMiB)),
      slopeMiBPerMinute: slope * 60,
    },
    cpu: { seconds: end.cpuSeconds, percentOfOneCore: (end.cpuSeconds / end.second) * 100 },
    gaugeChanges,
    passed,
    samples,
  };
  const f = (n: number) => n.toFixed(1);
  console.log(
    [
      `soak: ${minutes} min, ${rate} msg/s, ${deviceCount} devices, ${churnPercent}%/min reconnecting`,
      `messages: sent ${report.sent}, acknowledged ${report.acknowledged} (${
        Math.round(report.ackedPerSecond)
      }/s), ` +
      `stored ${storedMessages} (newest seq sum ${storedInOrder}), lost ${lost}`,
      `reconnects: ${takeovers} takeovers (${takeoverFailures} failed), ${disconnectsSeen} disconnects seen by devices`,
      `RSS: ${f(warm.rssMiB)} MiB at ${Math.round(warm.second)} s → ${f(end.rssMiB)} MiB at ${
        Math.round(end.second)
      } s ` +
      `(${growth >= 0 ? "+" : ""}${f(growth)}%, trend ${f(report.rss.slopeMiBPerMinute)} MiB/min), max ${
        f(report.rss.maxMiB)
      } MiB`,
      `CPU: ${f(end.cpuSeconds)} s (${f(report.cpu.percentOfOneCore)}% of one core)`,
      `gauges changed after warm-up: ${
        gaugeChanges.map((g) => `${g.name} ${g.warm}→${g.end}`).join(", ") || "none"
      }`,
      `${passed ? "PASS" : "FAIL"}: RSS growth ${f(growth)}% (< ${MAX_GROWTH_PERCENT}%), lost ${lost} (0)`,
    ].join("\n"),
  );
  await Deno.mkdir("bench/results", { recursive: true });
  const file = `bench/results/${report.at.replace(/[:.]/g, "-")}-soak.json`;
  await Deno.writeTextFile(file, JSON.stringify(report, null, 2));
  log(`results written to ${file}`);
  await platform.stop();
  Deno.exit(passed ? 0 : 1);
} catch (error) {
  await platform.stop();
  throw error;
}
