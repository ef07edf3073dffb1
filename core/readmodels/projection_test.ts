import assert from "node:assert/strict";
import { eventClock } from "../testing/read_model_fixtures.ts";
import { deviceMetrics } from "./device_metrics/model.ts";
import { deviceStates } from "./device_states/model.ts";
import { devices } from "./devices/model.ts";
import { planBatch, projectModel, selectModels } from "./projection.ts";
import { readModels } from "./registry.ts";

Deno.test("planBatch() splits a batch at each model's checkpoint and counts unprojected types as applied", () => {
  const c = eventClock();
  const registered = c.event("device.registered", "d2", {});
  const foreign = { ...registered, type: "firmware.published" };
  const batch = {
    processor: "p",
    topic: "t",
    partition: 0,
    events: [registered, registered, foreign],
    offsets: [4, 5, 6],
  };
  const plan = planBatch([devices, deviceStates], batch, new Map([["devices", 5], ["device_states", 9]]));
  assert.deepEqual([plan.applied, plan.skipped], [2, 1]);
  const [forDevices, forStates] = plan.plans;
  assert.deepEqual([
    forDevices!.events.length,
    forDevices!.keys,
    forDevices!.nextOffset,
    forDevices!.advances,
  ], [
    1,
    ["d2"],
    7,
    true,
  ]);
  assert.deepEqual([forStates!.events.length, forStates!.nextOffset, forStates!.advances], [0, 9, false]);
  const none = planBatch([devices], batch, new Map([["devices", 9]]));
  assert.deepEqual([none.applied, none.skipped, none.plans[0]!.nextOffset], [0, 3, 9]);
  assert.throws(() => planBatch([devices], { ...batch, offsets: [1, 1, 2] }, new Map()), RangeError);
  assert.throws(() => planBatch([devices], { ...batch, offsets: [1] }, new Map()), RangeError);
});

Deno.test("planBatch() collects each model's distinct keys, composite keys included", () => {
  const c = eventClock();
  const events = [
    c.event("device.registered", "d1", { name: "a" }),
    c.event("device.updated", "d1", { name: "b" }),
    c.event("telemetry.reported", "d2", {
      values: [{ name: "t", value: 1, ts: 1 }, { name: "h", value: 2, ts: 1 }, {
        name: "t",
        value: 3,
        ts: 2,
      }],
    }),
    c.event("command.requested", "d1", {
      commandId: "c1",
      name: "reboot",
      expiresAt: "2026-01-01T00:00:00Z",
    }),
    c.event("input.rejected", "d3", { topic: "x", reason: "bad", payloadBase64: "" }),
  ];
  const plan = planBatch(readModels, {
    processor: "p",
    topic: "t",
    partition: 0,
    events,
    offsets: [0, 1, 2, 3, 4],
  }, new Map());
  const keys = Object.fromEntries(plan.plans.map((p) => [p.model.name, p.keys]));
  assert.deepEqual(keys, {
    devices: ["d1"],
    device_states: ["d2"],
    commands: ["c1"],
    dlq: [events[4]!.id],
    device_metrics: [["d2", "t"], ["d2", "h"]],
    rules: [],
    alerts: [],
    firmware: [],
    ota_campaigns: [],
    ota_jobs: [],
    cameras: [],
  });
});

Deno.test("projectModel() returns only the rows that changed, in their final form", () => {
  const c = eventClock();
  const registered = c.event("device.registered", "d1", { name: "a" });
  const updated = c.event("device.updated", "d1", { name: "b" });
  const changes = projectModel(devices, new Map(), [registered, updated]);
  assert.deepEqual(changes.upserts.map((d) => (d as { name: string }).name), ["b"]);
  assert.deepEqual(changes.deletes, []);
  const row = changes.upserts[0]!;
  const again = projectModel(devices, new Map([["d1", row]]), [
    c.event("device.registered", "d1", { name: "x" }),
  ]);
  assert.deepEqual(again, { upserts: [], deletes: [] }, "an event that changes nothing writes nothing");
});

Deno.test("projectModel() writes a metric row once per batch with every point counted", () => {
  const c = eventClock();
  const events = [
    c.event("telemetry.reported", "d1", {
      values: [{ name: "t", value: 1, ts: 10 }, { name: "t", value: 2, ts: 5 }],
    }),
    c.event("telemetry.reported", "d1", { values: [{ name: "t", value: 3, ts: 10 }] }),
  ];
  const changes = projectModel(deviceMetrics, new Map(), events);
  assert.deepEqual(changes.upserts, [{ deviceId: "d1", metric: "t", value: 3, t: 10, count: 3 }]);
});

Deno.test("selectModels() keeps registry order and refuses unknown names", () => {
  assert.deepEqual(selectModels(readModels, ["device_metrics", "devices"]).map((m) => m.name), [
    "devices",
    "device_metrics",
  ]);
  assert.equal(selectModels(readModels, undefined), readModels);
  assert.throws(() => selectModels(readModels, ["nope"]), /Unknown read model "nope"/);
});
