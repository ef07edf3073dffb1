/**
 * What `GET /api/v1/retention` answers: per store and part (each log topic, raw points, each
 * rollup level, the dead letters), the effective retention, who enforces it and the oldest data
 * held right now, so an operator sees both the setting and whether it is being applied.
 */
import type { TopicFamily } from "../events/topic_families.ts";
import type { OldestPerTier, SeriesTier } from "../timeseries/time_series_store.ts";
import { SERIES_TIERS } from "../timeseries/time_series_store.ts";
import { formatRetention, type RetentionPolicy } from "./retention_policy.ts";

/**
 * Who deletes what is past the retention: `sweep` this platform's background deletes, `ttl` the
 * database's TTL index, `kafka` the broker (`retention.ms`, whole segments on its own schedule),
 * `none` nobody (kept forever).
 */
export type Expiry = "sweep" | "ttl" | "kafka" | "none";

export interface RetentionRow {
  store: "log" | "timeseries" | "dlq";
  /** The topic name, the tier (`raw`, `1m`, `1h`, `1d`) or `dead letters`. */
  name: string;
  /** `7d`, `1y`, … or `forever`. */
  retention: string;
  /** null: kept forever. */
  retentionMs: number | null;
  expiry: Expiry;
  /** ISO-8601 time of the oldest record, point or bucket start held; null when empty. */
  oldest: string | null;
}

export interface RetentionReport {
  engines: { log: string; timeseries: string };
  sweepIntervalMs: number;
  items: RetentionRow[];
}

export interface RetentionSources {
  log: {
    engine: "sqlite" | "kafka" | string;
    topics: Readonly<Record<TopicFamily, string>>;
    oldest(topic: string): Promise<number | undefined>;
  };
  timeseries: {
    engine: string;
    oldest(): Promise<OldestPerTier>;
    /** Who deletes raw points: the database (`ttl`) or the sweep. Default `sweep`. */
    rawExpiry?: () => "ttl" | "sweep" | undefined;
  };
  /** The oldest dead letter `GET /dlq` lists (epoch ms). */
  dlqOldest(): Promise<number | undefined>;
}

const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
const msOrNull = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? null : ms);

/** The report of `policy` over what the stores hold now. */
export async function retentionReport(
  policy: RetentionPolicy,
  sources: RetentionSources,
): Promise<RetentionReport> {
  const items: RetentionRow[] = [];
  const row = (store: RetentionRow["store"], name: string, ms: number | undefined, expiry: Expiry) => {
    const limited = msOrNull(ms) !== null;
    return {
      store,
      name,
      retention: formatRetention(msOrNull(ms) ?? undefined),
      retentionMs: msOrNull(ms),
      expiry: limited ? expiry : "none",
    };
  };
  const families = Object.keys(sources.log.topics) as TopicFamily[];
  const logOldest = await Promise.all(families.map((f) => sources.log.oldest(sources.log.topics[f])));
  families.forEach((family, i) => {
    const expiry = sources.log.engine === "kafka" ? "kafka" : "sweep";
    items.push({
      ...row("log", sources.log.topics[family], policy.log[family], expiry),
      oldest: iso(logOldest[i]),
    });
  });
  const oldest = await sources.timeseries.oldest();
  for (const tier of SERIES_TIERS) {
    const expiry = tier === "raw" ? sources.timeseries.rawExpiry?.() ?? "sweep" : "sweep";
    items.push({
      ...row("timeseries", tier, policy.timeseries[tier as SeriesTier], expiry),
      oldest: iso(oldest[tier]),
    });
  }
  items.push({ ...row("dlq", "dead letters", policy.dlq, "sweep"), oldest: iso(await sources.dlqOldest()) });
  return {
    engines: { log: sources.log.engine, timeseries: sources.timeseries.engine },
    sweepIntervalMs: policy.sweepIntervalMs,
    items,
  };
}
