import assert from "node:assert/strict";
import type { Alert } from "./rules_api_types.ts";
import {
  aroundAlert,
  BEFORE_ALERT_MS,
  layoutAlerts,
  layoutSpans,
  place,
  playFrom,
  recordingSpans,
  seekSeconds,
  ticks,
  timeAt,
  windowAround,
} from "./camera_timeline.ts";

const T0 = Date.parse("2026-11-30T10:00:00.000Z");
const MIN = 60_000;
const WINDOW = { from: T0, to: T0 + 60 * MIN };
const iso = (ms: number) => new Date(ms).toISOString();

const alert = (id: string, raisedAt: number, clearedAt?: number): Alert => ({
  id,
  ruleId: "r",
  ruleVersion: 1,
  deviceId: "cam-1",
  severity: "warning",
  status: clearedAt === undefined ? "open" : "cleared",
  raisedAt: iso(raisedAt),
  ...(clearedAt === undefined ? {} : { clearedAt }),
  value: null,
  lastValue: null,
  message: `alert ${id}`,
});

Deno.test("recordingSpans() reads runs oldest first and drops unreadable ones", () => {
  const spans = recordingSpans([
    { start: iso(T0 + 30 * MIN), end: iso(T0 + 40 * MIN), seconds: 600 },
    { start: "garbage", end: iso(T0), seconds: 1 },
    { start: iso(T0 + 5 * MIN), end: iso(T0 + 10 * MIN), seconds: 300 },
  ]);
  assert.deepEqual(spans, [
    { start: T0 + 5 * MIN, end: T0 + 10 * MIN },
    { start: T0 + 30 * MIN, end: T0 + 40 * MIN },
  ]);
});

Deno.test("place() and layoutSpans() give percent positions clipped to the window", () => {
  assert.deepEqual(place(WINDOW, T0 + 15 * MIN, T0 + 30 * MIN), { left: 25, width: 25 });
  assert.deepEqual(place(WINDOW, T0 - 10 * MIN, T0 + 6 * MIN), { left: 0, width: 10 });
  assert.deepEqual(place(WINDOW, T0 + 54 * MIN, T0 + 90 * MIN), { left: 90, width: 10 });
  assert.equal(place(WINDOW, T0 - 20 * MIN, T0 - 10 * MIN), undefined);
  assert.equal(place({ from: T0, to: T0 }, T0, T0), undefined);
  const bars = layoutSpans([
    { start: T0 - 30 * MIN, end: T0 - 20 * MIN },
    { start: T0 + 30 * MIN, end: T0 + 45 * MIN },
  ], WINDOW);
  assert.deepEqual(bars, [{ start: T0 + 30 * MIN, end: T0 + 45 * MIN, left: 50, width: 25 }]);
});

Deno.test("layoutAlerts() marks alerts raised in the window, stretched until cleared or the window's end", () => {
  const marks = layoutAlerts([
    alert("open", T0 + 45 * MIN),
    alert("cleared", T0 + 6 * MIN, T0 + 12 * MIN),
    alert("before", T0 - MIN, T0 + MIN),
  ], WINDOW);
  assert.deepEqual(marks.map((m) => [m.id, m.left, m.width]), [["cleared", 10, 10], ["open", 75, 25]]);
  assert.equal(marks[0]!.message, "alert cleared");
});

Deno.test("timeAt() maps a click's fraction back to a time, clamped to the window", () => {
  assert.equal(timeAt(WINDOW, 0.5), T0 + 30 * MIN);
  assert.equal(timeAt(WINDOW, -1), T0);
  assert.equal(timeAt(WINDOW, 2), T0 + 60 * MIN);
});

Deno.test("ticks() uses the smallest round step giving at most maxTicks, at round times", () => {
  const hour = ticks({ from: T0 + 3 * MIN, to: T0 + 63 * MIN }, 8);
  assert.deepEqual(hour.map((t) => (t.t - T0) / MIN), [10, 20, 30, 40, 50, 60]);
  assert.ok(Math.abs(hour[0]!.left - (7 / 60) * 100) < 1e-9);
  assert.equal(ticks({ from: T0, to: T0 + 24 * 60 * MIN }, 8).length, 8);
  assert.deepEqual(ticks({ from: T0, to: T0 }, 8), []);
});

Deno.test("playFrom() plays to the end of the run holding the moment, or the next run after a gap", () => {
  const spans = [{ start: T0, end: T0 + 10 * MIN }, { start: T0 + 20 * MIN, end: T0 + 30 * MIN }];
  assert.deepEqual(playFrom(spans, T0 + 5 * MIN), { from: T0 + 5 * MIN, to: T0 + 10 * MIN });
  assert.deepEqual(playFrom(spans, T0 + 15 * MIN), { from: T0 + 20 * MIN, to: T0 + 30 * MIN });
  assert.deepEqual(playFrom(spans, T0 - MIN), { from: T0, to: T0 + 10 * MIN });
  assert.equal(playFrom(spans, T0 + 30 * MIN), undefined);
  assert.equal(playFrom([], T0), undefined);
});

Deno.test("aroundAlert() starts a little before the alert was raised", () => {
  const spans = [{ start: T0, end: T0 + 10 * MIN }];
  assert.deepEqual(aroundAlert(spans, { raisedAt: iso(T0 + 5 * MIN) }), {
    from: T0 + 5 * MIN - BEFORE_ALERT_MS,
    to: T0 + 10 * MIN,
  });
  assert.deepEqual(aroundAlert(spans, { raisedAt: T0 }), { from: T0, to: T0 + 10 * MIN });
  assert.equal(aroundAlert(spans, { raisedAt: T0 + 11 * MIN }), undefined);
});

Deno.test("windowAround() centres on the moment but never reaches past now", () => {
  assert.deepEqual(windowAround(T0, 20 * MIN, T0 + 60 * MIN), { from: T0 - 10 * MIN, to: T0 + 10 * MIN });
  assert.deepEqual(windowAround(T0, 20 * MIN, T0 + 5 * MIN), { from: T0 - 15 * MIN, to: T0 + 5 * MIN });
});

Deno.test("seekSeconds() is the moment's offset into the playlist, never negative", () => {
  assert.equal(seekSeconds(T0, T0 + 1500), 1.5);
  assert.equal(seekSeconds(T0, T0 - 1500), 0);
});
