import assert from "node:assert/strict";
import { ALERT_UPDATE_EVERY_MS, carryOver, clearManually } from "./evaluate.ts";
import { given, point, ruleWith, time } from "./_rule_spec.ts";

const hot = (extra = {}) =>
  ruleWith({ kind: "threshold", metric: "temperature", op: ">", value: 30, ...extra });

Deno.test("threshold: the first violating point raises at its time and value", () => {
  given(hot()).when(point(1000, 29), point(2000, 31)).then([{ kind: "raised", at: 2000, value: 31 }]);
});

Deno.test("threshold: two violating points in the same millisecond raise one alert", () => {
  given(hot()).when(point(5000, 31), point(5000, 32)).then([{ kind: "raised", at: 5000, value: 31 }]);
});

Deno.test("threshold with forSeconds raises at the point where it has lasted that long (event time)", () => {
  given(hot({ forSeconds: 60 }))
    .when(point(0, 31), point(30_000, 35), point(59_999, 33), point(60_000, 34), point(61_000, 36))
    .then([{ kind: "raised", at: 60_000, value: 34 }]);
});

Deno.test("threshold with forSeconds: a normal point in between starts the count again", () => {
  given(hot({ forSeconds: 60 }))
    .when(point(0, 31), point(30_000, 20), point(40_000, 31), point(90_000, 31), point(100_000, 31))
    .then([{ kind: "raised", at: 100_000, value: 31 }]);
});

Deno.test("clear: the first point back to normal beyond the hysteresis clears it with lastValue", () => {
  const rule = ruleWith({ kind: "threshold", metric: "t", op: ">", value: 30 }, { clear: { hysteresis: 2 } });
  given(rule)
    .when(point(1, 31), point(2, 33), point(3, 29), point(4, 28.5), point(5, 27.9), point(6, 26))
    .then([
      { kind: "raised", at: 1, value: 31 },
      { kind: "cleared", at: 5, value: 27.9, lastValue: 33 },
    ]);
});

Deno.test("clear: below-threshold rules move the hysteresis up", () => {
  const rule = ruleWith({ kind: "threshold", metric: "p", op: "<=", value: 10 }, {
    clear: { hysteresis: 1 },
  });
  given(rule).when(point(1, 9), point(2, 10.5), point(3, 11), point(4, 11.5)).then([
    { kind: "raised", at: 1, value: 9 },
    { kind: "cleared", at: 4, value: 11.5, lastValue: 9 },
  ]);
});

Deno.test("an open alert reports lastValue at most every ALERT_UPDATE_EVERY_MS, only when it changed", () => {
  const step = ALERT_UPDATE_EVERY_MS;
  given(hot()).when(
    point(0, 31),
    point(step / 2, 32),
    point(step, 32),
    point(2 * step, 32),
    point(3 * step, 40),
  )
    .then([
      { kind: "raised", at: 0, value: 31 },
      { kind: "updated", at: step, lastValue: 32 },
      { kind: "updated", at: 3 * step, lastValue: 40 },
    ]);
});

Deno.test("values are compared as they are: a string never passes a numeric threshold", () => {
  given(hot()).when(point(1, "31"), point(2, true)).then([]);
  const eco = ruleWith({ kind: "threshold", metric: "mode", op: "!=", value: "eco" });
  given(eco).when(point(1, "eco"), point(2, "boost"), point(3, "eco")).then([
    { kind: "raised", at: 2, value: "boost" },
    { kind: "cleared", at: 3, value: "eco", lastValue: "boost" },
  ]);
});

Deno.test("range: outside [min, max] violates; non-numbers are passed over", () => {
  const rule = ruleWith({ kind: "range", metric: "h", min: 20, max: 60 }, { clear: { hysteresis: 5 } });
  given(rule).when(point(1, 50), point(2, 61), point(3, "x"), point(4, 58), point(5, 54)).then([
    { kind: "raised", at: 2, value: 61 },
    { kind: "cleared", at: 5, value: 54, lastValue: 61 },
  ]);
});

Deno.test("rate: change per second between consecutive points", () => {
  const rule = ruleWith({ kind: "rate", metric: "level", op: ">", value: 2 });
  given(rule).when(point(0, 10), point(1000, 11), point(2000, 14), point(4000, 16)).then([
    { kind: "raised", at: 2000, value: 3 },
    { kind: "cleared", at: 4000, value: 1, lastValue: 3 },
  ]);
});

Deno.test("event: each matching device event while open only updates; manual clear re-arms at once", () => {
  const rule = ruleWith({ kind: "event", type: "door.opened" });
  const opened = given(rule).when(
    { kind: "event", t: 1, type: "door.opened" },
    { kind: "event", t: 2, type: "door.closed" },
  ).then([{ kind: "raised", at: 1, value: "door.opened" }]);
  given(rule, clearManually(opened, rule)).when({ kind: "event", t: 3, type: "door.opened" })
    .then([{ kind: "raised", at: 3, value: "door.opened" }]);
});

Deno.test("absence: the timer raises at lastSeen + seconds; the next point clears", () => {
  const rule = ruleWith({ kind: "absence", seconds: 60 });
  given(rule).when(point(0, 1), time(59_000), time(60_000), time(61_000), time(90_000), point(95_000, 2))
    .then([
      { kind: "raised", at: 60_000, value: 60 },
      { kind: "cleared", at: 95_000, value: 2, lastValue: 60 },
    ]);
});

Deno.test("absence: a gap found by the next point raises and clears (no timer ran)", () => {
  const rule = ruleWith({ kind: "absence", metric: "t", seconds: 10 });
  given(rule).when(point(0, 1), point(5000, 1), point(30_000, 1)).then([
    { kind: "raised", at: 15_000, value: 10 },
    { kind: "cleared", at: 30_000, value: 1, lastValue: 10 },
  ]);
});

Deno.test("absence: a device never seen is not absent", () => {
  given(ruleWith({ kind: "absence", seconds: 1 })).when(time(1_000_000)).then([]);
});

Deno.test("manual clear: the rule re-arms only after a normal point", () => {
  const rule = hot();
  const opened = given(rule).when(point(1, 31)).then([{ kind: "raised", at: 1, value: 31 }]);
  const cleared = clearManually(opened, rule);
  assert.equal(cleared.phase, "rearm");
  given(rule, cleared).when(point(2, 35), point(3, 29), point(4, 31)).then([{
    kind: "raised",
    at: 4,
    value: 31,
  }]);
});

Deno.test("a new version keeps an open alert open and judges it by the new condition", () => {
  const v1 = hot();
  const v2 = ruleWith({ kind: "threshold", metric: "temperature", op: ">", value: 40 }, { version: 2 });
  const opened = given(v1).when(point(1, 35)).then([{ kind: "raised", at: 1, value: 35 }]);
  given(v2, carryOver(opened, v1, v2)).when(point(2, 36)).then([
    { kind: "cleared", at: 2, value: 36, lastValue: 35 },
  ]);
});

Deno.test("a new version restarts a pending violation's count", () => {
  const v1 = hot({ forSeconds: 10 });
  const v2 = { ...v1, version: 2 };
  const pending = given(v1).when(point(0, 31)).then([]);
  assert.equal(pending.phase, "pending");
  given(v2, carryOver(pending, v1, v2)).when(point(10_000, 31), point(20_000, 31)).then([
    { kind: "raised", at: 20_000, value: 31 },
  ]);
});
