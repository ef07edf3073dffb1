import assert from "node:assert/strict";
import { eventClock, fixtureTime } from "../../testing/read_model_fixtures.ts";
import { projectionSpec } from "../../testing/projection_spec.ts";
import { evolveDeviceState } from "./model.ts";

const state = projectionSpec(evolveDeviceState);

Deno.test("evolveDeviceState() merges reported state with null deletes and computes the nested delta", () => {
  const c = eventClock();
  state.given(
    c.event("device.state.desired", "d1", {
      patch: { mode: "eco", fan: { speed: 3, on: true } },
      by: "alice",
    }, 5),
    c.event(
      "device.state.reported",
      "d1",
      { patch: { mode: "eco", fan: { speed: 1, on: true }, tmp: 1 } },
      6,
    ),
    c.event("device.state.reported", "d1", { patch: { tmp: null, fan: { speed: 2 } } }, 7),
  ).then({
    deviceId: "d1",
    reported: { mode: "eco", fan: { speed: 2, on: true } },
    desired: { mode: "eco", fan: { speed: 3, on: true } },
    delta: { fan: { speed: 3 } },
    version: 3,
    connected: false,
    lastSeen: fixtureTime(7),
  });
});

Deno.test("evolveDeviceState() empties the delta once reported catches up, and desired null deletes", () => {
  const c = eventClock();
  state.given(
    c.event("device.state.desired", "d1", { patch: { a: 1, b: { c: 2 } }, by: "alice" }),
    c.event("device.state.reported", "d1", { patch: { a: 1, b: { c: 2 } } }),
    c.event("device.state.desired", "d1", { patch: { b: null }, by: "alice" }),
  ).thenRow((row) => {
    assert.deepEqual(row?.desired, { a: 1 });
    assert.deepEqual(row?.delta, {});
    assert.equal(row?.version, 3);
  });
});

Deno.test("evolveDeviceState() tracks connected and moves lastSeen forward only, on device activity", () => {
  const c = eventClock();
  const connected = c.event("device.connected", "d1", { clientId: "d1", protocol: "mqtt" }, 100);
  const telemetry = c.event("telemetry.reported", "d1", { values: [{ name: "t", value: 1, ts: 1 }] }, 200);
  const stale = c.event("telemetry.reported", "d1", { values: [{ name: "t", value: 1, ts: 1 }] }, 150);
  const desired = c.event("device.state.desired", "d1", { patch: { x: 1 }, by: "alice" }, 300);
  state.given(connected, telemetry, stale, desired).thenRow((row) => {
    assert.equal(row?.connected, true);
    assert.equal(row?.lastSeen, fixtureTime(200));
  });
  state.given(
    connected,
    c.event("device.disconnected", "d1", { clientId: "d1", reason: "keepalive_timeout" }, 400),
  )
    .thenRow((row) => {
      assert.equal(row?.connected, false);
      assert.equal(row?.lastSeen, fixtureTime(400));
      assert.equal(row?.version, 0, "connectivity does not bump the state version");
    });
  state.given(c.event("device.registered", "d1", {})).then(undefined);
});

Deno.test("evolveDeviceState() returns the same row when an event changes nothing", () => {
  const c = eventClock();
  const row = evolveDeviceState(
    undefined,
    c.event("telemetry.reported", "d1", { values: [{ name: "t", value: 1, ts: 1 }] }, 50),
  );
  const same = evolveDeviceState(
    row,
    c.event("telemetry.reported", "d1", { values: [{ name: "t", value: 2, ts: 1 }] }, 40),
  );
  assert.equal(same, row);
});
