/**
 * Retention in the platform process: the background sweeps of the time-series store (raw points and
 * each rollup level by its own limit) and of the dead letters (the log sweeps itself, see
 * `sqlite_event_log.ts`, and Kafka expires its topics), and the report behind
 * `GET /api/v1/retention`.
 */
import type { TopicNames } from "../../core/events/topics.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import { oldestRecordTime } from "../../core/log/oldest_record.ts";
import type { Logger } from "../../core/logging/mod.ts";
import type { ReadModelStore } from "../../core/readmodels/mod.ts";
import { dlq } from "../../core/readmodels/dlq/mod.ts";
import { type RetentionReport, retentionReport } from "../../core/retention/report.ts";
import type { RetentionPolicy } from "../../core/retention/retention_policy.ts";
import { scheduleSweeps, type SweepSchedule, sweepTimeSeries } from "../../core/retention/sweep.ts";
import { sweepDeadLetters } from "../../core/retention/dead_letters.ts";
import type { SeriesTier, TimeSeriesStore } from "../../core/timeseries/time_series_store.ts";
import type { AiotConfig } from "../config/config.ts";
import { storeEngines } from "../stores_from_config.ts";

/** The tiers with a finite limit: `forever` needs no sweep. */
function finiteTiers(policy: RetentionPolicy): Partial<Record<SeriesTier, number>> {
  return Object.fromEntries(
    Object.entries(policy.timeseries).filter(([, ms]) => Number.isFinite(ms)),
  ) as Partial<Record<SeriesTier, number>>;
}

/**
 * Sweeps, by `policy`, the time series (raw points and each rollup level) and the dead letters of
 * the read models given, soon after start and then every `sweepIntervalMs`, in bounded chunks;
 * undefined when nothing given has a limit. Each sweep that deleted something is logged.
 */
export function startRetentionSweeps(
  policy: RetentionPolicy,
  stores: { timeseries?: TimeSeriesStore | undefined; readModels?: ReadModelStore | undefined },
  options: { logger?: Logger; now?: () => number; firstDelayMs?: number } = {},
): SweepSchedule | undefined {
  const tiers = stores.timeseries ? finiteTiers(policy) : {};
  const dlqMs = stores.readModels && policy.dlq !== undefined && Number.isFinite(policy.dlq)
    ? policy.dlq
    : undefined;
  if (Object.keys(tiers).length === 0 && dlqMs === undefined) return undefined;
  const now = options.now ?? Date.now;
  return scheduleSweeps(async (signal) => {
    const started = performance.now();
    const deleted: Record<string, number> = stores.timeseries
      ? { ...await sweepTimeSeries(stores.timeseries, tiers, { now, signal }) }
      : {};
    if (dlqMs !== undefined) {
      deleted.deadLetters = await sweepDeadLetters(stores.readModels!, dlqMs, { now, signal });
    }
    if (Object.values(deleted).some((n) => n > 0)) {
      options.logger?.info("retention sweep", { ...deleted, ms: Math.round(performance.now() - started) });
    }
  }, {
    intervalMs: policy.sweepIntervalMs,
    ...(options.firstDelayMs === undefined ? {} : { firstDelayMs: options.firstDelayMs }),
    onError: (error) => options.logger?.error("retention sweep failed", { error: String(error) }),
  });
}

/** What `GET /api/v1/retention` shows for this process's engines. */
export function retentionReporter(
  config: AiotConfig,
  engines: { log: EventLog; topics: TopicNames; timeseries: TimeSeriesStore; readModels: ReadModelStore },
): () => Promise<RetentionReport> {
  const { timeseries } = engines;
  return () =>
    retentionReport(config.retention, {
      log: {
        engine: config.kafkaBrokers ? "kafka" : "sqlite",
        topics: engines.topics,
        oldest: (topic) => oldestRecordTime(engines.log, topic),
      },
      timeseries: {
        engine: storeEngines(config).timeseries,
        oldest: () => timeseries.oldest(),
        ...("rawExpiry" in timeseries
          ? { rawExpiry: () => (timeseries as { rawExpiry: "ttl" | "sweep" | undefined }).rawExpiry }
          : {}),
      },
      async dlqOldest() {
        // Ids are UUIDv7, so the smallest id is the first dead letter appended.
        const [first] = await engines.readModels.list(dlq, { orderBy: [{ field: "id" }], limit: 1 });
        return first ? Date.parse(first.at) : undefined;
      },
    });
}
