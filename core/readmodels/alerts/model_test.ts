import assert from "node:assert/strict";
import { createEvent } from "../../events/catalog.ts";
import { projectionSpec } from "../../testing/projection_spec.ts";
import { type AlertRow, evolveAlert } from "./model.ts";

const spec = projectionSpec<AlertRow>(evolveAlert);
const subject = { alertId: "al-1", ruleId: "hot", deviceId: "d1" };
const options = { key: "d1", source: "rules" };
const T0 = Date.parse("2026-11-30T10:00:00Z");

const raised = createEvent("alert.raised", {
  ...subject,
  ruleVersion: 2,
  severity: "critical",
  raisedAt: T0,
  value: 31,
  message: "Too hot: temperature > 30",
}, options);
const updated = (at: number, lastValue: number) =>
  createEvent("alert.updated", { ...subject, at, lastValue }, options);
const acked = createEvent("alert.acknowledged", { ...subject, by: "op" }, {
  ...options,
  source: "api",
  time: "2026-11-30T10:05:00Z",
});
const cleared = createEvent("alert.cleared", {
  ...subject,
  clearedAt: T0 + 600_000,
  value: 20,
  reason: "normal",
}, options);

const open: AlertRow = {
  id: "al-1",
  ruleId: "hot",
  ruleVersion: 2,
  deviceId: "d1",
  severity: "critical",
  status: "open",
  raisedAt: "2026-11-30T10:00:00.000Z",
  value: 31,
  lastValue: 31,
  lastValueAt: "2026-11-30T10:00:00.000Z",
  message: "Too hot: temperature > 30",
};

Deno.test("alerts: a raise opens the alert; a repeated raise changes nothing", () => {
  spec.given(raised).then(open);
  spec.given(raised, updated(T0 + 10_000, 35), raised).thenRow((row) => assert.equal(row?.lastValue, 35));
});

Deno.test("alerts: lastValue only moves forward in event time", () => {
  spec.given(raised, updated(T0 + 20_000, 40), updated(T0 + 10_000, 33)).thenRow((row) => {
    assert.equal(row?.lastValue, 40);
    assert.equal(row?.lastValueAt, "2026-11-30T10:00:20.000Z");
  });
});

Deno.test("alerts: acknowledging keeps it open-ish; clearing closes it for good", () => {
  spec.given(raised, acked).then({
    ...open,
    status: "acknowledged",
    acknowledgedAt: "2026-11-30T10:05:00.000Z",
    acknowledgedBy: "op",
  });
  spec.given(raised, acked, cleared, updated(T0 + 700_000, 50), acked).thenRow((row) => {
    assert.equal(row?.status, "cleared");
    assert.equal(row?.clearedAt, "2026-11-30T10:10:00.000Z");
    assert.equal(row?.clearReason, "normal");
    assert.equal(row?.lastValue, 31);
  });
});

Deno.test("alerts: events for an alert never raised here make no row", () => {
  spec.given(updated(T0, 1), acked, cleared).then(undefined);
});
