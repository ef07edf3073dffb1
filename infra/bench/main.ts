/**
 * `deno task bench [scenario…] [--quick] [--rounds N]`: runs each scenario's comparisons (raw engine
 * vs AIOT, interleaved, same run), prints a Markdown table and writes JSON under bench/results/.
 */
import { compare, type Comparison, type ComparisonResult, resultsTable } from "./harness.ts";
import { sqliteLogComparisons } from "./log_sqlite.ts";

type Scenario = (quick: boolean) => Promise<Comparison[]>;

const scenarios: Record<string, Scenario> = {
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
const quick = args.includes("--quick");
const roundsFlag = args.indexOf("--rounds");
const rounds = roundsFlag >= 0 ? Number(args[roundsFlag + 1]) : quick ? 3 : 5;
const names = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--rounds");
const selected = names.length > 0 ? names : Object.keys(scenarios);
const unknown = selected.filter((n) => !(n in scenarios));
if (unknown.length > 0) {
  console.error(`Unknown scenario(s): ${unknown.join(", ")}. Known: ${Object.keys(scenarios).join(", ")}`);
  Deno.exit(2);
}

const results: ComparisonResult[] = [];
for (const name of selected) {
  console.error(`scenario ${name} (${quick ? "quick" : "full"}, ${rounds} rounds)`);
  for (const comparison of await scenarios[name]!(quick)) {
    results.push(await compare(comparison, { rounds, progress: (line) => console.error(line) }));
  }
}

console.log(resultsTable(results));
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
    },
    null,
    2,
  ),
);
console.error(`results written to ${file}`);
Deno.exit(0); // engine clients (Kafka, Mongo) keep sockets open; the results are written
