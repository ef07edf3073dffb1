/**
 * The retention panel's model (processors view): the rows of `GET /api/v1/retention` grouped by
 * store, each with who deletes expired data in words, how old its oldest data is, and whether that
 * is past the limit by more than a sweep or two would explain (`behind`) — a sweep that is not
 * keeping up, or a TTL monitor that is not running.
 */
import type { RetentionReport, RetentionRow } from "../../core/retention/report.ts";

export type { RetentionReport, RetentionRow };

export interface RetentionLine {
  store: RetentionRow["store"];
  name: string;
  retention: string;
  /** Who deletes what is past the limit, in words. */
  enforcedBy: string;
  /** Age of the oldest data in words, "empty" when nothing is held. */
  oldestAge: string;
  oldest: string | null;
  /** The oldest data is older than the limit plus two sweep intervals. */
  behind: boolean;
}

const ENFORCED_BY: Readonly<Record<RetentionRow["expiry"], string>> = {
  sweep: "background sweep",
  ttl: "database TTL index",
  kafka: "Kafka retention.ms",
  none: "kept forever",
};

export const STORE_TITLES: Readonly<Record<RetentionRow["store"], string>> = {
  log: "Event log",
  timeseries: "Time series",
  dlq: "Dead letters",
};

/** "3 d", "5 h", "12 min", "40 s". */
export function age(ms: number): string {
  if (ms >= 86_400_000) return `${Math.floor(ms / 86_400_000)} d`;
  if (ms >= 3_600_000) return `${Math.floor(ms / 3_600_000)} h`;
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)} min`;
  return `${Math.max(0, Math.floor(ms / 1000))} s`;
}

/** The report's rows, in its order, for display at `now`. */
export function retentionLines(report: RetentionReport, now: number): RetentionLine[] {
  return report.items.map((row) => {
    const held = row.oldest === null ? undefined : now - Date.parse(row.oldest);
    // Kafka deletes whole segments on its own schedule: no lateness is judged there.
    const grace = row.expiry === "kafka" ? Infinity : 2 * report.sweepIntervalMs;
    return {
      store: row.store,
      name: row.name,
      retention: row.retention,
      enforcedBy: ENFORCED_BY[row.expiry],
      oldestAge: held === undefined ? "empty" : age(held),
      oldest: row.oldest,
      behind: held !== undefined && row.retentionMs !== null && held > row.retentionMs + grace,
    };
  });
}
