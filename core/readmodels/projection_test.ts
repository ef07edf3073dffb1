import assert from "node:assert/strict";
import { eventClock } from "../testing/read_model_fixtures.ts";
import { keysTouchedBy, pendingEvents, projectEvents } from "./projection.ts";

Deno.test("pendingEvents() drops events below the checkpoint and counts unprojected types as applied", () => {
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
  const pending = pendingEvents(batch, 5);
  assert.deepEqual([pending.events.length, pending.applied, pending.skipped, pending.nextOffset], [
    1,
    2,
    1,
    7,
  ]);
  const none = pendingEvents(batch, 9);
  assert.deepEqual([none.applied, none.skipped, none.nextOffset], [0, 3, 9]);
  assert.throws(() => pendingEvents({ ...batch, offsets: [1, 1, 2] }, undefined), RangeError);
  assert.throws(() => pendingEvents({ ...batch, offsets: [1] }, undefined), RangeError);
});

Deno.test("projectEvents() returns only the rows that changed, in their final form", () => {
  const c = eventClock();
  const events = [
    c.event("device.registered", "d1", { name: "a" }),
    c.event("device.updated", "d1", { name: "b" }),
    c.event("telemetry.reported", "d2", { values: [{ name: "t", value: 1, ts: 1 }] }),
    c.event("command.requested", "d1", {
      commandId: "c1",
      name: "reboot",
      expiresAt: "2026-01-01T00:00:00Z",
    }),
    c.event("input.rejected", "d3", { topic: "x", reason: "bad", payloadBase64: "" }),
  ];
  assert.deepEqual(keysTouchedBy(events), { deviceIds: ["d1"], stateIds: ["d2"], commandIds: ["c1"] });
  const empty = { devices: new Map(), states: new Map(), commands: new Map() };
  const changes = projectEvents(empty, events);
  assert.deepEqual(changes.devices.map((d) => d.name), ["b"]);
  assert.deepEqual(changes.states.map((s) => s.deviceId), ["d2"]);
  assert.deepEqual(changes.commands.map((r) => r.id), ["c1"]);
  assert.equal(changes.dlq.length, 1);
  const again = projectEvents(
    { ...empty, states: new Map(changes.states.map((s) => [s.deviceId, s])) },
    [events[2]!],
  );
  assert.deepEqual(again.states, [], "an event that changes nothing writes nothing");
});
