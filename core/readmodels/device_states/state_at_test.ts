import assert from "node:assert/strict";
import { createEvent, type DomainEvent } from "../../events/catalog.ts";
import { deviceStateAt } from "./state_at.ts";
import { evolveDeviceState } from "./model.ts";

const at = (iso: string) => () => Date.parse(iso);
const chunks = async function* (events: DomainEvent[]) {
  for (let i = 0; i < events.length; i += 2) yield events.slice(i, i + 2);
};

Deno.test("deviceStateAt() equals the live fold of the same events in their interleaved log order", async () => {
  const device = [
    createEvent("device.connected", { clientId: "d1", protocol: "mqtt" }, {
      key: "d1",
      source: "t",
      now: at("2026-01-01T00:00:00Z"),
    }),
    createEvent("device.state.reported", { patch: { fw: "1.0", mode: "eco" } }, {
      key: "d1",
      source: "t",
      now: at("2026-01-01T00:00:01Z"),
    }),
    createEvent("device.state.desired", { patch: { mode: "boost" }, by: "admin" }, {
      key: "d1",
      source: "t",
      now: at("2026-01-01T00:00:02Z"),
    }),
    createEvent("device.state.reported", { patch: { fw: "1.0" } }, {
      key: "other",
      source: "t",
      now: at("2026-01-01T00:00:02Z"),
    }),
    createEvent("device.disconnected", { clientId: "d1", reason: "closed" }, {
      key: "d1",
      source: "t",
      now: at("2026-01-01T00:00:05Z"),
    }),
  ];
  const telemetry = [
    createEvent("telemetry.reported", { values: [{ name: "t", value: 1, ts: 1 }] }, {
      key: "d1",
      source: "t",
      now: at("2026-01-01T00:00:04Z"),
    }),
    createEvent("telemetry.reported", { values: [{ name: "t", value: 1, ts: 1 }] }, {
      key: "d1",
      source: "t",
      now: at("2026-01-01T00:00:09Z"),
    }),
  ];
  const interleaved = [
    device[0]!,
    device[1]!,
    device[2]!,
    telemetry[0]!,
    device[3]!,
    device[4]!,
    telemetry[1]!,
  ];
  const live = interleaved.filter((e) => e.key === "d1").reduce(evolveDeviceState, undefined);
  const folded = await deviceStateAt("d1", [chunks(device), chunks(telemetry)]);
  assert.deepEqual(folded, live);
  assert.equal(folded.lastSeen, "2026-01-01T00:00:09.000Z");
  assert.equal(folded.connected, false);
  assert.deepEqual(folded.delta, { mode: "boost" });
});

Deno.test("deviceStateAt() of a device with no events is the empty shadow", async () => {
  const folded = await deviceStateAt("nobody", [chunks([])]);
  assert.deepEqual(folded, {
    deviceId: "nobody",
    reported: {},
    desired: {},
    delta: {},
    version: 0,
    connected: false,
  });
});
