/**
 * `deno task bench [scenario…] [--quick] [--rounds N]`: runs each scenario's comparisons (raw engine
 * vs AIOT, interleaved, same run), prints a Markdown table and writes JSON under bench/results/.
 */
import { compare, type Comparison, type ComparisonResult, resultsTable } from "./harness.ts";
import { sqliteLogComparisons } from "./log_sqlite.ts";
import { type BudgetLine, endBudget, startBudget } from "./rss_budget.ts";

/** Measurements that are not a side-by-side ratio (latencies), printed as their own table. */
interface Extra {
  title: string;
  header: string[];
  rows: (string | number)[][];
}

/** Comparisons, optionally with a `close` that stops what they started (child processes). */
type Scenario = (quick: boolean) => Promise<Comparison[] & { close?: () => Promise<void> }>;

const extras: Record<
  string,
  (progress: (line: string) => void, quick: boolean) => Promise<Extra | Extra[]>
> = {
  "cameras-latency": async (progress, quick) => {
    const { measureCameraLatency } = await import("./cameras_latency.ts");
    if (!Deno.env.get("AIOT_TEST_JANUS_URL") || !Deno.env.get("AIOT_TEST_RTMP_URL")) {
      progress("cameras-latency: skipped (needs `engines.sh start janus rtmp` and its env)");
      return {
        title: "cameras: glass-to-glass latency — skipped (no Janus/RTMP)",
        header: ["skipped"],
        rows: [],
      };
    }
    const r = await measureCameraLatency({ seconds: quick ? 5 : 20, progress });
    return {
      title: "cameras: glass-to-glass latency over WebRTC (push camera → nginx-rtmp → relay → Janus → " +
        "WHEP → Chromium, loopback, capture time burned into each frame); target ≤ 500 ms",
      header: ["frames read", "median ms", "p95 ms", "min ms", "max ms", "target"],
      rows: [[r.samples, r.medianMs, r.p95Ms, r.minMs, r.maxMs, "≤ 500"]],
    };
  },
  cameras: async (progress, quick) => {
    const { measureCameras } = await import("./cameras.ts");
    const cameras = Number(Deno.env.get("AIOT_BENCH_CAMERAS") ?? 8);
    const rows = await measureCameras({ cameras, seconds: quick ? 10 : 30, progress });
    return {
      title:
        `cameras: ${cameras} × 720p25 H.264 RTSP cameras relayed at once with -c copy (one ffmpeg per camera); ` +
        "CPU in % of one core; no WebRTC viewer attached; target ≥ 8 cameras on 2 cores",
      header: [
        "mode",
        "online",
        "relay CPU %/camera",
        "relay RSS MiB/camera",
        "Janus CPU %",
        "Janus RSS MiB",
        "AIOT process CPU %",
        "AIOT RSS MiB",
        "test source CPU % (encoder)",
      ],
      rows: rows.map((r) => [
        r.mode,
        `${r.online}/${r.cameras}`,
        r.relayCpuPercentPerCamera,
        r.relayRssMiBPerCamera,
        r.janusCpuPercent ?? "n/a",
        r.janusRssMiB ?? "n/a",
        r.aiotCpuPercent,
        r.aiotRssMiB,
        r.sourceCpuPercent,
      ]),
    };
  },
  "cpu-budget": async (progress, quick) => {
    const { measureCpuBudget } = await import("./cpu_budget.ts");
    const costs = await measureCpuBudget({ quick, progress });
    return {
      title:
        "cpu-budget: the SQLite time-series store alone (9 numeric points per message, 100 devices, rollups, " +
        "fsync), CPU per message by write batch size; on 2 cores a rate R leaves 2,000,000 / R µs per message " +
        "for everything (20k msg/s: 100 µs)",
      header: [
        "batch (messages)",
        "msg/s (one thread)",
        "CPU µs per message",
        "share of the 20k msg/s budget",
      ],
      rows: costs.map((c) => [
        c.batchMessages,
        Math.round(c.messagesPerSecond),
        Math.round(c.cpuMicrosPerMessage),
        `${Math.round(c.cpuMicrosPerMessage)} %`,
      ]),
    };
  },
  memory: async (progress, quick) => {
    const { measureMemory } = await import("./memory.ts");
    const runs = await measureMemory({ quick, progress });
    const mib = (n: number) => Math.round(n);
    const first = runs[0]!;
    return {
      title:
        `memory: all-in-one (embedded), ${first.devices} connected devices publishing QoS 1 at ${first.rate} ` +
        `msg/s for ${first.seconds} s, then 10 s idle; RSS of the platform process; V8 heap used/reserved per ` +
        "thread at the highest sampled RSS",
      header: [
        "profile",
        "acked",
        "achieved msg/s",
        "idle MiB",
        "connected MiB",
        "peak MiB",
        "final MiB",
        "heap at peak MiB (used/reserved)",
        "budget MiB",
      ],
      rows: runs.map((r) => [
        r.profile,
        r.acked,
        mib(r.achievedRate),
        mib(r.idleMiB),
        mib(r.connectedMiB),
        mib(r.peakMiB),
        mib(r.finalMiB),
        Object.entries(r.heapsAtPeak).map(([thread, h]) => `${thread} ${mib(h.usedMiB)}/${mib(h.totalMiB)}`)
          .join(", ") || "n/a",
        `≤ ${r.budgetMiB}`,
      ]),
    };
  },
  export: async (progress, quick) => {
    const { measureExportRss } = await import("./export.ts");
    const count = Number(Deno.env.get("AIOT_BENCH_EXPORT_EVENTS") ?? (quick ? 500_000 : 5_000_000));
    const runs = await measureExportRss(count, progress);
    return {
      title: `export: peak RSS of a process exporting ${count / 1e6}M events (SQLite log, bytes discarded)`,
      header: ["format", "events/s", "rows", "idle RSS MiB", "peak RSS MiB", "peak - idle MiB", "target"],
      rows: runs.map((r) => [
        r.format,
        r.eventsPerSecond,
        r.rows,
        r.idleMiB,
        r.peakMiB,
        r.peakMiB - r.idleMiB,
        "≤ 150",
      ]),
    };
  },
  e2e: async (progress, quick) => {
    const { e2eOptions, e2eTables } = await import("./e2e_report.ts");
    const { measureE2e } = await import("./e2e.ts");
    const options = e2eOptions(quick, progress);
    return e2eTables(options, await measureE2e(options));
  },
  connections: async (progress, quick) => {
    const { measureConnections } = await import("./connections.ts");
    const target = Number(Deno.env.get("AIOT_BENCH_CONNECTIONS") ?? (quick ? 2000 : 10_000));
    const rows = await measureConnections(target, progress);
    const mib = (n: number) => Math.round(n);
    return {
      title:
        `connections: ${target} concurrent MQTT connections held (raw CONNECT, keep-alive 0); target < 1024 MiB`,
      header: [
        "broker process",
        "connected",
        "failed",
        "open after 5 s",
        "connect ms",
        "idle RSS MiB",
        "RSS MiB",
        "peak RSS MiB",
      ],
      rows: rows.map((r) => [
        r.label,
        r.connected,
        r.failed,
        r.stillOpen,
        mib(r.connectMs),
        mib(r.idleRssMiB),
        mib(r.rssMiB),
        mib(r.peakMiB),
      ]),
    };
  },
  live: async (progress, quick) => {
    const { measureLive, startLiveBaseline } = await import("./live.ts");
    const options = {
      rate: Number(Deno.env.get("AIOT_BENCH_LIVE_RATE") ?? (quick ? 2000 : 5000)),
      seconds: quick ? 5 : 10,
      clients: Number(Deno.env.get("AIOT_BENCH_LIVE_CLIENTS") ?? 50),
      progress,
    };
    // The baseline before and after AIOT's runs: the machine's own state shows in the pair.
    const baseline = () =>
      measureLive("baseline: aedes → SSE fan-out, no log", {}, { ...options, start: startLiveBaseline });
    const runs = [await baseline(), await measureLive("embedded", {}, options)];
    const brokers = Deno.env.get("AIOT_BENCH_KAFKA_BROKERS") ?? Deno.env.get("AIOT_TEST_KAFKA_BROKERS");
    if (brokers) {
      const prefix = `bench${Date.now().toString(36)}.`;
      runs.push(
        await measureLive("Kafka log", { AIOT_KAFKA_BROKERS: brokers, AIOT_TOPIC_PREFIX: prefix }, options),
      );
    }
    runs.push(await baseline());
    return {
      title: `live: device publish → SSE delivery (QoS 1, ${options.clients} SSE clients); the baseline ` +
        "(plain aedes turning each publish into one frame for every stream, no log, no auth) ran before " +
        "and after, and its latency is the load generator's and the machine's own",
      header: ["log", "msg/s", "delivered/expected", "p50 ms", "p99 ms", "max ms"],
      rows: runs.map((r) => [
        r.label,
        r.rate,
        `${r.delivered}/${r.expected}`,
        r.p50.toFixed(1),
        r.p99.toFixed(1),
        r.max.toFixed(1),
      ]),
    };
  },
  retention: async (progress, quick) => {
    const { measureRetention } = await import("./retention.ts");
    const count = Number(Deno.env.get("AIOT_BENCH_RETENTION_POINTS") ?? (quick ? 1_000_000 : 10_000_000));
    const r = await measureRetention(count, progress);
    return {
      title: `retention: a sweep of ${
        r.points / 1e6
      }M old points (raw + 1 min rollups, SQLite) while ingesting`,
      header: [
        "phase",
        "ingest points/s",
        "slowest batch ms",
        "seconds",
        "rows deleted",
        "sweep rows/s",
        "ingest ratio",
      ],
      rows: [
        [
          "ingest alone",
          r.ingestAlone.pointsPerSecond,
          r.ingestAlone.maxBatchMs,
          r.ingestAlone.seconds.toFixed(1),
          0,
          "—",
          "1.00",
        ],
        [
          "ingest + sweep",
          r.ingestDuringSweep.pointsPerSecond,
          r.ingestDuringSweep.maxBatchMs,
          r.sweep.seconds.toFixed(1),
          r.sweep.rawDeleted + r.sweep.rollupsDeleted,
          r.sweep.rowsPerSecond,
          r.ratio.toFixed(2),
        ],
      ],
    };
  },
  storage: async (progress, quick) => {
    const { storageQueries } = await import("./storage.ts");
    const rows = (await storageQueries(progress, quick)).map((
      r,
    ) => [r.label, r.p50.toFixed(2), r.p95.toFixed(2)]);
    return {
      title: "dashboard query: 7 days of 1 Hz, 1 h buckets (20 runs)",
      header: ["store", "p50 ms", "p95 ms"],
      rows,
    };
  },
  rules: async (progress, quick) => {
    const { backtestInMemory, medianCpuRates } = await import("./rules.ts");
    const { measureRulesLatency } = await import("./rules_latency.ts");
    const count = quick ? 200_000 : 1_000_000;
    const runs = await backtestInMemory(count, 3);
    const rates = runs.map((r) => (r.units / r.ms) * 1000).sort((a, b) => a - b);
    progress(`  rules backtest() in memory: ${rates.map((r) => Math.round(r)).join(", ")} events/s`);
    const latency = await measureRulesLatency({ rate: 1000, seconds: quick ? 5 : 15, progress });
    return [{
      title:
        "rules: the same runs in events per CPU-second of the bench process (median; wall time also waits for a core and the disk)",
      header: ["path", "events per CPU-second", "runs"],
      rows: medianCpuRates().map((r) => [r.label, Math.round(r.rate), r.runs]),
    }, {
      title: `rules: backtest() over ${count / 1000}k decoded telemetry events in memory (median of 3)`,
      header: ["path", "events/s", "alerts raised", "target"],
      rows: [["backtest() over decoded events", Math.round(rates[1]!), runs[0]!.raised, "≥ 500k"]],
    }, {
      title: "rules: device publish → alert.raised on SSE (embedded, QoS 1, 20 devices, 1 SSE client)",
      header: [
        "msg/s",
        "seconds",
        "alerts received/expected",
        "p50 ms",
        "p99 ms",
        "max ms",
        "target",
        "publish → alert made p50/p99",
        "alert made → client p50/p99",
        "publish → telemetry.reported p50/p99",
        "platform CPU (cores)",
        "load average",
      ],
      rows: [[
        latency.rate,
        latency.seconds,
        `${latency.received}/${latency.expected}`,
        latency.p50.toFixed(1),
        latency.p99.toFixed(1),
        latency.max.toFixed(1),
        "p99 ≤ 100",
        `${latency.toProcessor.p50.toFixed(0)} / ${latency.toProcessor.p99.toFixed(0)}`,
        `${latency.toClient.p50.toFixed(0)} / ${latency.toClient.p99.toFixed(0)}`,
        `${latency.telemetry.p50.toFixed(0)} / ${latency.telemetry.p99.toFixed(0)}`,
        latency.platformCores.toFixed(2),
        latency.loadAverage,
      ]],
    }];
  },
  ota: async (progress, quick) => {
    const { measureOta } = await import("./ota.ts");
    const devices = Number(Deno.env.get("AIOT_BENCH_OTA_DEVICES") ?? (quick ? 500 : 5000));
    const r = await measureOta({
      devices,
      perProcess: Number(Deno.env.get("AIOT_BENCH_OTA_PER_PROCESS") ?? 1250),
      imageBytes: 256 * 1024,
      downloadRounds: Number(Deno.env.get("AIOT_BENCH_OTA_DOWNLOAD_ROUNDS") ?? (quick ? 1 : 3)),
      campaignTimeoutMs: 120_000,
      progress,
    });
    const s = (ms: number) => (ms / 1000).toFixed(1);
    const platform = r.usage[0]!;
    const devicesCpu = r.usage.slice(1).reduce((sum, u) => sum + u.cpuSeconds, 0);
    return {
      title:
        `ota: one campaign to ${r.devices} emulated devices answering at once (embedded all-in-one, one wave, ` +
        `${r.processes} device processes, ${r.imageBytes / 1024} KiB image downloaded and verified by each)`,
      header: ["measurement", "value", "target"],
      rows: [
        ["devices registered (on the log) + connected s", `${s(r.registerMs)} + ${s(r.connectMs)}`, ""],
        [`campaign start → ${r.status} s`, s(r.campaignMs), "≤ 60 (5,000 devices)"],
        [
          "start → every device reported its outcome s (device counters every 0.25 s)",
          s(r.devicesDoneMs),
          "",
        ],
        [
          "counts",
          Object.entries(r.counts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(", "),
          "",
        ],
        [
          "platform CPU s (cores) during the campaign",
          `${platform.cpuSeconds.toFixed(1)} (${(platform.cpuPercent / 100).toFixed(2)})`,
          "",
        ],
        [
          "platform RSS MiB: fleet connected before the start → peak during the campaign",
          `${Math.round(r.idleRssMiB)} → ${Math.round(platform.peakMiB)}`,
          "",
        ],
        ["device processes CPU s", devicesCpu.toFixed(1), ""],
        ...r.downloads.map((d) => [
          `firmware download MB/s, 10 × 100 MB: ${d.server} (ratio to plain)`,
          `${d.mbps} (${d.ratio.toFixed(2)})`,
          d.server.startsWith("plain") ? "" : "≥ 0.7",
        ]),
      ],
    };
  },
  ui: async (progress, quick) => {
    const { measureUiFleet } = await import("./ui_fleet.ts");
    const r = await measureUiFleet({ seconds: quick ? 3 : 10, progress });
    const ms = (n: number | undefined) => n === undefined ? "n/a" : Math.round(n);
    return {
      title: `ui: fleet view, ${r.devices} devices, headless Chromium; main thread = CDP TaskDuration delta`,
      header: ["measurement", "value", "target"],
      rows: [
        ["devices registered + projected ms", ms(r.registerMs), ""],
        ["first render ms (login click → first row)", ms(r.firstRowMs), ""],
        [`login click → ${r.devices} devices counted ms`, ms(r.allCountedMs), ""],
        ["telemetry events/s (20 MQTT devices)", ms(r.eventsPerSecond), 500],
        ["main thread ms per s idle (1 s, no telemetry)", ms(r.idleMsPerSecond), ""],
        [`main thread ms per s of updates (${r.seconds.toFixed(1)} s)`, ms(r.busyMsPerSecond), "≤ 100"],
        ["of which script ms per s", ms(r.scriptMsPerSecond), ""],
        ["of which style recalc ms per s", ms(r.styleMsPerSecond), ""],
        ["of which layout ms per s", ms(r.layoutMsPerSecond), ""],
        ["of which other (paint, GC, …) ms per s", ms(r.otherMsPerSecond), ""],
        ["style recalcs / layouts per s", `${ms(r.stylesPerSecond)} / ${ms(r.layoutsPerSecond)}`, ""],
        ["long tasks during updates (count)", r.longTasksDuringUpdates, ""],
        ["long task ms per s of updates", ms(r.longTaskMsPerSecond), ""],
        ["longest task ms (updates)", ms(r.longestTaskMs), "≤ 50"],
        ["long tasks > 50 ms while scrolling (count)", r.scrollLongTasks, 0],
        ["longest task ms (scrolling)", ms(r.scrollLongestMs), "≤ 50"],
      ],
    };
  },
};

const scenarios: Record<string, Scenario> = {
  cameras: () => Promise.resolve([]),
  "cameras-latency": () => Promise.resolve([]),
  export: async (quick) => {
    const { embeddedExportComparisons, kafkaExportComparisons } = await import("./export.ts");
    const progress = (line: string) => console.error(line);
    const embedded = await embeddedExportComparisons(quick ? 100_000 : 300_000, progress);
    const brokers = Deno.env.get("AIOT_BENCH_KAFKA_BROKERS") ?? Deno.env.get("AIOT_TEST_KAFKA_BROKERS");
    const kafka = brokers
      ? await kafkaExportComparisons(brokers.split(","), quick ? 50_000 : 100_000, progress)
      : (console.error("export: AIOT_BENCH_KAFKA_BROKERS not set — Kafka skipped"), undefined);
    return Object.assign([...embedded, ...(kafka ?? [])], {
      close: async () => {
        await embedded.close?.();
        await kafka?.close?.();
      },
    });
  },
  e2e: () => Promise.resolve([]),
  "cpu-budget": () => Promise.resolve([]),
  memory: () => Promise.resolve([]),
  live: () => Promise.resolve([]),
  connections: () => Promise.resolve([]),
  ingest: async (quick) =>
    (await import("./ingest.ts")).ingestComparisons({
      qos1: quick ? 20_000 : 100_000,
      qos0: quick ? 20_000 : 100_000,
    }),
  tracing: async (quick) => (await import("./tracing.ts")).tracingComparisons(quick ? 20_000 : 50_000),
  replay: async (quick) => {
    const { sqliteReplayComparisons, kafkaReplayComparisons } = await import("./replay.ts");
    const count = quick ? 200_000 : 1_000_000;
    const progress = (line: string) => console.error(line);
    const comparisons = [await sqliteReplayComparisons(count, progress)];
    const brokers = Deno.env.get("AIOT_BENCH_KAFKA_BROKERS") ?? Deno.env.get("AIOT_TEST_KAFKA_BROKERS");
    if (brokers) comparisons.push(await kafkaReplayComparisons(brokers.split(","), count, progress));
    else console.error("replay: AIOT_BENCH_KAFKA_BROKERS not set — Kafka replay skipped");
    return comparisons;
  },
  ui: () => Promise.resolve([]),
  ota: () => Promise.resolve([]),
  retention: () => Promise.resolve([]),
  rules: async (quick) => {
    const { backtestLogComparisons, evaluationComparisons } = await import("./rules.ts");
    const progress = (line: string) => console.error(line);
    const fromLog = await backtestLogComparisons(quick ? 50_000 : 1_000_000, progress);
    return Object.assign(
      [...evaluationComparisons(quick ? 20_000 : 100_000, progress), ...fromLog.comparisons],
      { close: fromLog.close },
    );
  },
  storage: async (quick) => (await import("./storage.ts")).storageComparisons(quick),
  log: async (quick) => {
    const comparisons = sqliteLogComparisons(quick ? 100_000 : 200_000);
    const brokers = Deno.env.get("AIOT_BENCH_KAFKA_BROKERS") ?? Deno.env.get("AIOT_TEST_KAFKA_BROKERS");
    if (brokers) {
      const { kafkaLogComparisons } = await import("./log_kafka.ts");
      comparisons.push(...await kafkaLogComparisons(brokers.split(","), quick ? 50_000 : 200_000));
    } else {
      console.error(
        "log: AIOT_BENCH_KAFKA_BROKERS not set — Kafka comparisons skipped (start: deno task engines start kafka)",
      );
    }
    return comparisons;
  },
};

const args = [...Deno.args];
if (args.includes("--help")) {
  console.log(
    `deno task bench [scenario…] [--quick] [--rounds N]\nscenarios: ${Object.keys(scenarios).join(", ")}`,
  );
  Deno.exit(0);
}
const quick = args.includes("--quick");
const roundsFlag = args.indexOf("--rounds");
const rounds = roundsFlag >= 0 ? Number(args[roundsFlag + 1]) : quick ? 3 : 5;
const names = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--rounds");
// `connections` opens 10k sockets: only in a full run, or when named.
const selected = names.length > 0
  ? names
  : Object.keys(scenarios).filter((n) => n !== "connections" || !quick);
const unknown = selected.filter((n) => !(n in scenarios));
if (unknown.length > 0) {
  console.error(`Unknown scenario(s): ${unknown.join(", ")}. Known: ${Object.keys(scenarios).join(", ")}`);
  Deno.exit(2);
}

const results: ComparisonResult[] = [];
const extraResults: Extra[] = [];
const budgets: BudgetLine[] = [];
for (const name of selected) {
  console.error(`scenario ${name} (${quick ? "quick" : "full"}, ${rounds} rounds)`);
  startBudget();
  const comparisons = await scenarios[name]!(quick);
  try {
    for (const comparison of comparisons) {
      results.push(await compare(comparison, { rounds, progress: (line) => console.error(line) }));
    }
  } finally {
    await comparisons.close?.();
  }
  const extra = extras[name];
  if (extra) extraResults.push(...[await extra((line) => console.error(line), quick)].flat());
  budgets.push(...endBudget(name));
}
extraResults.push({
  title: "RSS budget: peak resident memory of each AIOT process per scenario (VmHWM; the bench process " +
    "also holds load generators and baselines); budgets from AIOT_BENCH_RSS_BUDGET_PLATFORM / _BENCH",
  header: ["scenario", "process", "peak RSS MiB", "budget MiB", "within"],
  rows: budgets.map((b) => [
    b.scenario,
    b.process,
    Number.isNaN(b.peakMiB) ? "" : Math.round(b.peakMiB),
    b.budgetMiB,
    Number.isNaN(b.peakMiB) ? "" : b.within ? "yes" : "**no**",
  ]),
});

console.log(resultsTable(results));
for (const extra of extraResults) {
  console.log(
    `\n${extra.title}\n\n| ${extra.header.join(" | ")} |\n|${extra.header.map(() => "---").join("|")}|`,
  );
  for (const row of extra.rows) console.log(`| ${row.join(" | ")} |`);
}
await Deno.mkdir("bench/results", { recursive: true });
const file = `bench/results/${new Date().toISOString().replace(/[:.]/g, "-")}-${selected.join("+")}.json`;
await Deno.writeTextFile(
  file,
  JSON.stringify(
    {
      at: new Date().toISOString(),
      machine: { cores: navigator.hardwareConcurrency, deno: Deno.version.deno },
      quick,
      results,
      extras: extraResults,
    },
    null,
    2,
  ),
);
console.error(`results written to ${file}`);
Deno.exit(0); // engine clients (Kafka, Mongo) keep sockets open; the results are written
