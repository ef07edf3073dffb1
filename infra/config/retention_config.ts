/**
 * The retention settings (issue 16) from `AIOT_RETENTION_*` variables; every one is optional and
 * absent means kept forever (today's behaviour), except where `AIOT_LOG_RETENTION_HOURS` (the
 * older setting) already limited the log. A duration is `7d`, `12h`, `90m`, `3600s`, `2w`, `1y`
 * (365 days) or `forever`.
 *
 * | variable | applies to |
 * |---|---|
 * | `AIOT_RETENTION_LOG` | every log topic without its own (alias of the older `AIOT_LOG_RETENTION_HOURS`) |
 * | `AIOT_RETENTION_LOG_<FAMILY>` | one topic: TELEMETRY, DEVICE, COMMAND, OTA, ALERT, DLQ |
 * | `AIOT_RETENTION_TELEMETRY_RAW` | raw time-series points |
 * | `AIOT_RETENTION_ROLLUP_1M` / `_1H` / `_1D` | each rollup level, by bucket start |
 * | `AIOT_RETENTION_DLQ` | the dead letters `GET /dlq` lists, and the `dlq` topic unless `AIOT_RETENTION_LOG_DLQ` is set |
 * | `AIOT_RETENTION_SWEEP_INTERVAL` | how often the background sweeps run (default 5m) |
 */
import { topicFamilies, type TopicFamily } from "../../core/events/topic_families.ts";
import { parseRetention, type RetentionPolicy } from "../../core/retention/retention_policy.ts";
import type { SeriesTier } from "../../core/timeseries/time_series_store.ts";

const TIER_VARIABLES: Readonly<Record<SeriesTier, string>> = {
  raw: "AIOT_RETENTION_TELEMETRY_RAW",
  "1m": "AIOT_RETENTION_ROLLUP_1M",
  "1h": "AIOT_RETENTION_ROLLUP_1H",
  "1d": "AIOT_RETENTION_ROLLUP_1D",
};
const LOG_PREFIX = "AIOT_RETENTION_LOG_";

/**
 * Reads the retention policy from `env`; `Infinity` marks an explicit `forever` (Kafka is then
 * told `retention.ms=-1`), a missing key "not configured".
 * @throws {TypeError} naming every variable that is not a valid duration or not a known topic.
 */
export function retentionFromEnv(env: Record<string, string | undefined>): RetentionPolicy {
  const problems: string[] = [];
  const read = (name: string): number | undefined => {
    const text = env[name];
    if (text === undefined || text === "") return undefined;
    try {
      return parseRetention(name, text) ?? Infinity;
    } catch (error) {
      problems.push((error as Error).message);
      return undefined;
    }
  };
  const policy: RetentionPolicy = { log: {}, timeseries: {}, sweepIntervalMs: 300_000 };

  const hours = env.AIOT_LOG_RETENTION_HOURS;
  const allTopics = read("AIOT_RETENTION_LOG");
  if (allTopics !== undefined && hours) {
    problems.push("AIOT_RETENTION_LOG replaces AIOT_LOG_RETENTION_HOURS: set only one of them");
  }
  const legacy = hours && Number(hours) > 0 ? Number(hours) * 3_600_000 : undefined;
  const dlq = read("AIOT_RETENTION_DLQ");
  for (const family of topicFamilies) {
    const own = read(LOG_PREFIX + family.toUpperCase());
    const ms = own ?? (family === "dlq" ? dlq : undefined) ?? allTopics ?? legacy;
    if (ms !== undefined) policy.log[family as TopicFamily] = ms;
  }
  const known = new Set(topicFamilies.map((f) => LOG_PREFIX + f.toUpperCase()));
  for (const name of Object.keys(env)) {
    if (name.startsWith(LOG_PREFIX) && !known.has(name)) {
      problems.push(`${name} names no topic: use one of ${[...known].join(", ")}`);
    }
  }
  for (const [tier, name] of Object.entries(TIER_VARIABLES) as [SeriesTier, string][]) {
    const ms = read(name);
    if (ms !== undefined) policy.timeseries[tier] = ms;
  }
  if (dlq !== undefined) policy.dlq = dlq;
  const interval = read("AIOT_RETENTION_SWEEP_INTERVAL");
  if (interval === Infinity) problems.push("AIOT_RETENTION_SWEEP_INTERVAL must be a duration, not forever");
  else if (interval !== undefined) policy.sweepIntervalMs = interval;

  if (problems.length > 0) throw new TypeError(`Invalid configuration: ${problems.join("; ")}`);
  return policy;
}

/** The ms an engine deletes after, or undefined for "keep everything" (forever or not configured). */
export const finiteRetention = (ms: number | undefined): number | undefined =>
  ms !== undefined && Number.isFinite(ms) ? ms : undefined;
