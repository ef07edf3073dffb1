import assert from "node:assert/strict";
import { eventClock, fixtureTime } from "../../testing/read_model_fixtures.ts";
import { projectionSpec } from "../../testing/projection_spec.ts";
import { evolveCommand } from "./model.ts";
import { dlqRowOf } from "../dlq/model.ts";

const command = projectionSpec(evolveCommand);
const requestedData = {
  commandId: "c1",
  name: "reboot",
  params: { delay: 5 },
  expiresAt: fixtureTime(600),
  requestedBy: "alice",
};

Deno.test("evolveCommand() follows requested → dispatched → acked", () => {
  const c = eventClock();
  command.given(
    c.event("command.requested", "d1", requestedData, 10),
    c.event("command.dispatched", "d1", { commandId: "c1" }, 11),
    c.event("command.acked", "d1", { commandId: "c1", status: "ok", result: { uptime: 0 } }, 12),
  ).then({
    id: "c1",
    deviceId: "d1",
    name: "reboot",
    params: { delay: 5 },
    status: "acked",
    ackStatus: "ok",
    result: { uptime: 0 },
    requestedAt: fixtureTime(10),
    dispatchedAt: fixtureTime(11),
    completedAt: fixtureTime(12),
    expiresAt: fixtureTime(600),
    requestedBy: "alice",
  });
});

Deno.test("evolveCommand() keeps a device error as acked with ackStatus error", () => {
  const c = eventClock();
  command.given(
    c.event("command.requested", "d1", requestedData),
    c.event("command.acked", "d1", { commandId: "c1", status: "error", error: "disk full" }),
  ).thenRow((row) => {
    assert.equal(row?.status, "acked");
    assert.equal(row?.ackStatus, "error");
    assert.equal(row?.error, "disk full");
  });
});

Deno.test("evolveCommand() ignores an ack from another device than the command's", () => {
  const c = eventClock();
  command.given(
    c.event("command.requested", "d1", requestedData),
    c.event("command.acked", "intruder", { commandId: "c1", status: "ok" }),
  ).thenRow((row) => assert.equal(row?.status, "requested"));
});

Deno.test("evolveCommand() never moves a finished command, but a late dispatch fills dispatchedAt", () => {
  const c = eventClock();
  const requested = c.event("command.requested", "d1", requestedData, 10);
  command.given(
    requested,
    c.event("command.acked", "d1", { commandId: "c1", status: "ok" }, 20),
    c.event("command.dispatched", "d1", { commandId: "c1" }, 15),
    c.event("command.expired", "d1", { commandId: "c1" }, 30),
    c.event("command.failed", "d1", { commandId: "c1", reason: "late" }, 31),
  ).thenRow((row) => {
    assert.equal(row?.status, "acked");
    assert.equal(row?.dispatchedAt, fixtureTime(15));
    assert.equal(row?.completedAt, fixtureTime(20));
    assert.equal(row?.error, undefined);
  });
  command.given(requested, c.event("command.expired", "d1", { commandId: "c1" }, 40))
    .thenRow((row) => assert.deepEqual([row?.status, row?.completedAt], ["expired", fixtureTime(40)]));
  command.given(requested, c.event("command.failed", "d1", { commandId: "c1", reason: "device gone" }))
    .thenRow((row) => assert.deepEqual([row?.status, row?.error], ["failed", "device gone"]));
});

Deno.test("evolveCommand() ignores events of a command never requested and repeated requests", () => {
  const c = eventClock();
  command.given(c.event("command.acked", "d1", { commandId: "c9", status: "ok" })).then(undefined);
  command.given(
    c.event("command.requested", "d1", requestedData),
    c.event("command.dispatched", "d1", { commandId: "c1" }),
    c.event("command.requested", "d1", { ...requestedData, name: "other" }),
  ).thenRow((row) => assert.deepEqual([row?.name, row?.status], ["reboot", "dispatched"]));
});

Deno.test("dlqRowOf() keeps the raw payload, the reason and when it was received", () => {
  const c = eventClock();
  const event = c.event("input.rejected", "d1", {
    topic: "devices/d1/telemetry",
    reason: "invalid JSON",
    payloadBase64: "e30=",
    deviceId: "d1",
    receivedAt: "2025-01-01T01:00:00+01:00",
  });
  assert.equal(event.type, "input.rejected");
  if (event.type !== "input.rejected") return;
  assert.deepEqual(dlqRowOf(event), {
    id: event.id,
    at: fixtureTime(0),
    topic: "devices/d1/telemetry",
    deviceId: "d1",
    reason: "invalid JSON",
    payload: "e30=",
  });
});
