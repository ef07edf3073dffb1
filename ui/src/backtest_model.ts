/**
 * The backtest preview's arithmetic: the range a preset means, the would-be alert intervals of
 * one device (shaded on its chart), and which telemetry query draws that chart.
 */
import { type BacktestTransition, type RuleCondition, toMs } from "./rules_api_types.ts";

export const RANGE_PRESETS = {
  "1h": { label: "Last 1 h", ms: 3_600_000 },
  "24h": { label: "Last 24 h", ms: 86_400_000 },
  "7d": { label: "Last 7 d", ms: 7 * 86_400_000 },
} as const;
export type RangePreset = keyof typeof RANGE_PRESETS | "custom";

export interface TimeRange {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
}

/**
 * The range of a preset ending `now`, or of the custom inputs (`datetime-local` text, read in the
 * browser's time zone); undefined when the custom range is incomplete or empty.
 */
export function presetRange(
  preset: RangePreset,
  now: number,
  custom: { from: string; to: string } = { from: "", to: "" },
): TimeRange | undefined {
  if (preset !== "custom") return { from: now - RANGE_PRESETS[preset].ms, to: now };
  const from = Date.parse(custom.from);
  const to = Date.parse(custom.to);
  return Number.isFinite(from) && Number.isFinite(to) && from < to ? { from, to } : undefined;
}

/** One would-be alert of the chart's device: raised → cleared, or → the end when still open. */
export interface AlertInterval {
  from: number;
  to: number;
  open: boolean;
}

/**
 * The intervals of `deviceId`'s transitions within `range`, in time order, each clipped to the
 * range (an alert raised before `from` never is: the backtest starts with no state).
 */
export function alertIntervals(
  transitions: readonly BacktestTransition[],
  deviceId: string,
  range: TimeRange,
): AlertInterval[] {
  return transitions
    .filter((t) => t.deviceId === deviceId)
    .map((t) => ({
      from: Math.max(range.from, toMs(t.raisedAt)),
      to: t.clearedAt === null ? range.to : Math.min(range.to, toMs(t.clearedAt)),
      open: t.clearedAt === null,
    }))
    .filter((i) => Number.isFinite(i.from) && Number.isFinite(i.to) && i.from <= i.to)
    .sort((a, b) => a.from - b.from);
}

/** The devices of a backtest, with how many alerts each would have raised, most first. */
export function devicesByAlerts(transitions: readonly BacktestTransition[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const t of transitions) counts.set(t.deviceId, (counts.get(t.deviceId) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

const RAW_UP_TO_MS = 2 * 3_600_000;
const CHART_BUCKETS = 720;

/**
 * The telemetry query that draws the chart: raw points up to two hours (so every point the rule
 * saw is drawn), else about 720 buckets aggregated the way the rule looks at them: the maximum
 * when it watches for high values, the minimum for low ones (a spike is not averaged away).
 */
export function chartQuery(
  condition: RuleCondition,
  range: TimeRange,
): { bucket?: string; agg?: "avg" | "min" | "max" } {
  const span = range.to - range.from;
  if (span <= RAW_UP_TO_MS) return {};
  const seconds = Math.max(1, Math.ceil(span / CHART_BUCKETS / 1000));
  const bucket = seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
  const op = "op" in condition ? condition.op : undefined;
  const agg = op === ">" || op === ">=" ? "max" : op === "<" || op === "<=" ? "min" : "avg";
  return { bucket, agg };
}

/** "0 s", "42 s", "5 min 3 s", "3 h 20 min", "2 d 4 h". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  if (s < 86_400) {
    return `${Math.floor(s / 3600)} h${s % 3600 >= 60 ? ` ${Math.floor((s % 3600) / 60)} min` : ""}`;
  }
  return `${Math.floor(s / 86_400)} d${s % 86_400 >= 3600 ? ` ${Math.floor((s % 86_400) / 3600)} h` : ""}`;
}
