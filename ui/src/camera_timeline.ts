/**
 * The recording timeline of a camera page: a time window drawn as a bar 0–100 % wide, recorded
 * runs as bars on it, the camera's alerts as marks on the same axis, tick labels at round times,
 * and the reverse (a click's position → a time → the range of recorded video to play from there).
 * Pure: positions in percent, times in epoch milliseconds.
 */
import type { Recording } from "./camera_api.ts";
import type { Alert, Severity } from "./rules_api_types.ts";

export interface TimeWindow {
  from: number;
  to: number;
}

/** A recorded run, in epoch ms. */
export interface Span {
  start: number;
  end: number;
}

/** Something placed on the axis: `left` and `width` in percent of the window. */
export interface Placed {
  left: number;
  width: number;
}

export interface AlertMark extends Placed {
  id: string;
  at: number;
  severity: Severity;
  message: string;
}

export const WINDOW_PRESETS = [
  { label: "15 min", ms: 15 * 60_000 },
  { label: "1 h", ms: 3_600_000 },
  { label: "6 h", ms: 6 * 3_600_000 },
  { label: "24 h", ms: 24 * 3_600_000 },
] as const;

const toMs = (t: string | number): number => (typeof t === "number" ? t : Date.parse(t));

/** The recorded runs as spans, oldest first; a run that cannot be read is left out. */
export function recordingSpans(recordings: readonly Recording[]): Span[] {
  return recordings
    .map((r) => ({ start: Date.parse(r.start), end: Date.parse(r.end) }))
    .filter((s) => Number.isFinite(s.start) && Number.isFinite(s.end) && s.end >= s.start)
    .sort((a, b) => a.start - b.start);
}

/** Where [start, end] falls in `window`, clipped to it; undefined when it lies outside. */
export function place(window: TimeWindow, start: number, end: number): Placed | undefined {
  const length = window.to - window.from;
  if (length <= 0 || end < window.from || start > window.to) return undefined;
  const left = ((Math.max(start, window.from) - window.from) / length) * 100;
  const right = ((Math.min(end, window.to) - window.from) / length) * 100;
  return { left, width: right - left };
}

export function layoutSpans(spans: readonly Span[], window: TimeWindow): (Span & Placed)[] {
  return spans.flatMap((span) => {
    const placed = place(window, span.start, span.end);
    return placed ? [{ ...span, ...placed }] : [];
  });
}

/**
 * The alerts raised inside `window`, each a mark at its raising that stretches until it cleared
 * (or to the window's end while it is active).
 */
export function layoutAlerts(alerts: readonly Alert[], window: TimeWindow): AlertMark[] {
  return alerts.flatMap((alert) => {
    const at = toMs(alert.raisedAt);
    const end = alert.clearedAt === undefined ? window.to : toMs(alert.clearedAt);
    if (!Number.isFinite(at) || at < window.from || at > window.to) return [];
    const placed = place(window, at, Math.max(at, end));
    return placed ? [{ ...placed, id: alert.id, at, severity: alert.severity, message: alert.message }] : [];
  }).sort((a, b) => a.at - b.at);
}

/** The time at `fraction` (0–1, clamped) of the window: what a click on the axis points at. */
export function timeAt(window: TimeWindow, fraction: number): number {
  const clamped = Math.min(1, Math.max(0, fraction));
  return Math.round(window.from + clamped * (window.to - window.from));
}

const STEPS_MS = [
  10_000,
  30_000,
  60_000,
  5 * 60_000,
  10 * 60_000,
  15 * 60_000,
  30 * 60_000,
  3_600_000,
  3 * 3_600_000,
  6 * 3_600_000,
  12 * 3_600_000,
  86_400_000,
];

/**
 * Tick times for the axis: the smallest round step that gives at most `maxTicks` ticks, at
 * multiples of that step (in UTC; the labels are local, which differs only for odd time zones).
 */
export function ticks(window: TimeWindow, maxTicks = 8): { t: number; left: number }[] {
  const length = window.to - window.from;
  if (length <= 0 || maxTicks < 1) return [];
  const step = STEPS_MS.find((s) => length / s <= maxTicks) ?? Math.ceil(length / maxTicks);
  const result: { t: number; left: number }[] = [];
  for (let t = Math.ceil(window.from / step) * step; t <= window.to; t += step) {
    result.push({ t, left: ((t - window.from) / length) * 100 });
  }
  return result;
}

/**
 * The recorded video to play from time `t`: from `t` to the end of the run that holds it, or,
 * when `t` falls in a gap, the whole next run (the nearest video after the moment asked for).
 * Undefined when nothing was recorded at or after `t`.
 */
export function playFrom(spans: readonly Span[], t: number): TimeWindow | undefined {
  for (const span of spans) {
    if (span.end <= t) continue;
    return { from: Math.max(t, span.start), to: span.end };
  }
  return undefined;
}

/** How much video before an alert "the video around it" starts with. */
export const BEFORE_ALERT_MS = 30_000;

/** The recorded video around `alert`: from a little before it was raised, to the end of that run. */
export function aroundAlert(spans: readonly Span[], alert: Pick<Alert, "raisedAt">): TimeWindow | undefined {
  return playFrom(spans, toMs(alert.raisedAt) - BEFORE_ALERT_MS);
}

/** A window of `length` ms centred on `t`, never reaching past `now`. */
export function windowAround(t: number, length: number, now: number): TimeWindow {
  const to = Math.min(now, t + length / 2);
  return { from: to - length, to };
}

/**
 * Where in a VOD playlist starting at `playlistStart` (the first segment's program date-time)
 * the moment `from` is, in seconds: playlists start on a segment boundary, up to one segment
 * before the moment asked for.
 */
export function seekSeconds(playlistStart: number, from: number): number {
  return Math.max(0, (from - playlistStart) / 1000);
}
