/**
 * How long each store keeps data (issue 16): per log topic, for raw time-series points and for
 * each rollup level separately (keep 1 h rollups for a year, raw points for a week), and for the
 * dead-letter listing. Absent means kept forever, which is what AIOT did before retention was
 * configurable, so an installation that configures nothing keeps behaving as it did.
 */
import type { TopicFamily } from "../events/topic_families.ts";
import type { SeriesTier } from "../timeseries/time_series_store.ts";

export interface RetentionPolicy {
  /** Age limit of each topic family's log records, ms; a family not named keeps everything. */
  log: Partial<Record<TopicFamily, number>>;
  /** Age limit of raw points and of each rollup level (by bucket start), ms. */
  timeseries: Partial<Record<SeriesTier, number>>;
  /** Age limit of the dead letters `GET /dlq` lists (the `dlq` topic has its own, see `log`). */
  dlq?: number;
  /** How often the background sweeps run, ms. */
  sweepIntervalMs: number;
}

/** Nothing expires: the default. */
export const KEEP_EVERYTHING: RetentionPolicy = { log: {}, timeseries: {}, sweepIntervalMs: 300_000 };

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

/**
 * Parses a retention such as `7d`, `12h`, `90m`, `3600s`, `2w` or `1y` (365 days) into ms, or
 * `forever` into undefined.
 * @throws {RangeError} naming `name` when the text is neither.
 */
export function parseRetention(name: string, text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === "forever") return undefined;
  const match = /^([1-9][0-9]{0,8})([smhdwy])$/.exec(trimmed);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]!]! : NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new RangeError(
      `${name} must be a duration such as 7d, 12h, 90m, 3600s, 2w or 1y, or "forever" (got "${text}")`,
    );
  }
  return ms;
}

/** `604800000` → `7d`: the largest unit (but weeks) that divides the duration evenly. */
export function formatRetention(ms: number | undefined): string {
  if (ms === undefined) return "forever";
  for (const unit of ["y", "d", "h", "m", "s"]) {
    const size = UNIT_MS[unit]!;
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
