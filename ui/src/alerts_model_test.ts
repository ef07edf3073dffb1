import assert from "node:assert/strict";
import { eventTypeNames } from "../../core/events/type_names.ts";
import {
  ALERT_EVENT_TYPES,
  type AlertFilter,
  applyAlertEvents,
  matchesFilter,
  mergeAlerts,
  statusQueries,
} from "./alerts_model.ts";
import type { LiveEvent } from "./live_stream.ts";
import type { Alert } from "./rules_api_types.ts";

const ANY: AlertFilter = { status: "", severity: "", device: "", rule: "" };

const alert = (id: string, patch: Partial<Alert> = {}): Alert => ({
  id,
  ruleId: "r1",
  ruleVersion: 1,
  deviceId: "d1",
  severity: "warning",
  status: "open",
  raisedAt: "2026-11-30T10:00:00.000Z",
  value: 31,
  lastValue: 31,
  message: "temperature > 30",
  ...patch,
});

const event = (type: string, data: Record<string, unknown>, time = "2026-11-30T10:05:00.000Z") =>
  ({
    id: crypto.randomUUID(),
    type,
    v: 1,
    key: "d1",
    time,
    ingestedAt: time,
    source: "t",
    data,
  }) as LiveEvent;

Deno.test("ALERT_EVENT_TYPES are the catalog's alert types, not a copy", () => {
  assert.deepEqual(ALERT_EVENT_TYPES, eventTypeNames.filter((t) => t.startsWith("alert.")));
  assert.ok(ALERT_EVENT_TYPES.includes("alert.raised"));
});

Deno.test("applyAlertEvents() raises, updates, acknowledges and clears, in event order", () => {
  const raisedAt = Date.parse("2026-11-30T10:00:00.000Z");
  const subject = { alertId: "a1", ruleId: "r1", deviceId: "d1" };
  const changed = applyAlertEvents(new Map(), [
    event("alert.raised", {
      ...subject,
      ruleVersion: 2,
      severity: "critical",
      raisedAt,
      value: 35,
      message: "hot",
    }),
    event("alert.updated", { ...subject, at: raisedAt + 1000, lastValue: 36 }),
    event("alert.acknowledged", { ...subject, by: "admin" }),
    event("alert.cleared", { ...subject, clearedAt: raisedAt + 60_000, value: 20, reason: "normal" }),
    event("alert.acknowledged", { ...subject, by: "late" }),
    event("telemetry.reported", { values: [] }),
  ]);
  assert.deepEqual(changed.get("a1"), {
    id: "a1",
    ruleId: "r1",
    ruleVersion: 2,
    deviceId: "d1",
    severity: "critical",
    status: "cleared",
    raisedAt,
    value: 35,
    lastValue: 36,
    message: "hot",
    acknowledgedAt: "2026-11-30T10:05:00.000Z",
    clearedAt: raisedAt + 60_000,
  });
  assert.equal(changed.size, 1);
});

Deno.test("applyAlertEvents() changes a shown alert, and skips one it knows nothing of", () => {
  const changed = applyAlertEvents(new Map([["a1", alert("a1")]]), [
    event("alert.acknowledged", { alertId: "a1" }),
    event("alert.cleared", { alertId: "unknown" }),
  ]);
  assert.deepEqual([...changed.keys()], ["a1"]);
  assert.equal(changed.get("a1")!.status, "acknowledged");
  assert.equal(changed.get("a1")!.message, "temperature > 30");
});

Deno.test("mergeAlerts() never lets a stale page undo a live change, and adds unprojected alerts", () => {
  const page = [alert("a1"), alert("a2", { raisedAt: "2026-11-30T09:00:00.000Z", status: "cleared" })];
  const live = new Map([
    ["a1", alert("a1", { status: "cleared", message: "" })],
    ["a2", alert("a2", { status: "open" })],
    ["a3", alert("a3", { raisedAt: "2026-11-30T11:00:00.000Z" })],
  ]);
  const rows = mergeAlerts(page, live, ANY);
  assert.deepEqual(rows.map((a) => [a.id, a.status]), [["a3", "open"], ["a1", "cleared"], ["a2", "cleared"]]);
  assert.equal(rows[1]!.message, "temperature > 30");
});

Deno.test("mergeAlerts() filters by status, active, severity, device and rule", () => {
  const rows = [
    alert("open", { severity: "critical" }),
    alert("acked", { status: "acknowledged", deviceId: "d2" }),
    alert("cleared", { status: "cleared", ruleId: "r2" }),
  ];
  const ids = (filter: Partial<AlertFilter>) =>
    mergeAlerts(rows, new Map(), { ...ANY, ...filter }).map((a) => a.id);
  assert.deepEqual(ids({ status: "active" }).sort(), ["acked", "open"]);
  assert.deepEqual(ids({ status: "cleared" }), ["cleared"]);
  assert.deepEqual(ids({ severity: "critical" }), ["open"]);
  assert.deepEqual(ids({ device: "d2" }), ["acked"]);
  assert.deepEqual(ids({ rule: "r2" }), ["cleared"]);
  assert.equal(matchesFilter(rows[0]!, ANY), true);
});

Deno.test("statusQueries() asks once per status: active is open and acknowledged", () => {
  assert.deepEqual(statusQueries({ ...ANY, status: "active" }), ["open", "acknowledged"]);
  assert.deepEqual(statusQueries({ ...ANY, status: "cleared" }), ["cleared"]);
  assert.deepEqual(statusQueries(ANY), [undefined]);
});
