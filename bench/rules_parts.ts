/**
 * One part of bench `rules` at a time, at the sizes, so each run stays a few minutes long
 * on a shared machine (`deno task bench rules` runs all three, a full run takes several minutes):
 *
 *   deno run -A bench/rules_parts.ts evaluation [events=100000] [rounds=3]
 *   deno run -A bench/rules_parts.ts backtest [events=1000000]
 *   deno run -A bench/rules_parts.ts latency [msg/s=1000] [seconds=15]
 *
 * Prints Markdown rows; `evaluation` and `backtest` also print events per CPU-second.
 */
import { compare, format, resultsTable } from "./harness.ts";
import { backtestInMemory, backtestLogComparisons, evaluationComparisons, medianCpuRates } from "./rules.ts";
import { measureRulesLatency } from "./rules_latency.ts";

const progress = (line: string) => console.error(line);
const [part, first, second] = Deno.args;
const load = async () => (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
console.log(`${new Date().toISOString()} · load average before: ${await load()}`);

if (part === "evaluation") {
  const results = [];
  for (const comparison of evaluationComparisons(Number(first ?? 100_000), progress)) {
    results.push(await compare(comparison, { rounds: Number(second ?? 3), progress }));
  }
  console.log(resultsTable(results));
} else if (part === "backtest") {
  const count = Number(first ?? 1_000_000);
  const inMemory = await backtestInMemory(count, 3);
  const rates = inMemory.map((s) => (s.units / s.ms) * 1000).sort((a, b) => a - b);
  console.log(
    `| backtest() over ${count} decoded events (3 runs) | ${rates.map(format).join(", ")} events/s |`,
  );
  const fromLog = await backtestLogComparisons(count, progress);
  try {
    // One run of each path: at 1M events the log paths take tens of seconds each.
    const [vsReplay, vsDecode] = fromLog.comparisons;
    for (const side of [vsReplay!.baseline, vsReplay!.aiot, vsDecode!.baseline]) {
      const sample = await side.run();
      console.log(`| ${side.label} | ${format((sample.units / sample.ms) * 1000)} events/s |`);
    }
  } finally {
    await fromLog.close();
  }
} else if (part === "latency") {
  const r = await measureRulesLatency({
    rate: Number(first ?? 1000),
    seconds: Number(second ?? 15),
    progress,
  });
  console.log(JSON.stringify(r, (_, v) => typeof v === "number" ? Math.round(v * 10) / 10 : v));
} else {
  console.error("usage: deno run -A bench/rules_parts.ts evaluation|backtest|latency [args]");
  Deno.exit(2);
}
if (part !== "latency") {
  for (const r of medianCpuRates()) console.log(`| ${r.label} | ${format(r.rate)} events per CPU-second |`);
}
console.log(`load average after: ${await load()}`);
Deno.exit(0);
