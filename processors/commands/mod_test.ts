import assert from "node:assert/strict";
import { createEvent, type DomainEvent } from "../../core/events/catalog.ts";
import type { DeviceGateway } from "../../core/gateway/device_gateway.ts";
import { commandsProcessor, type OpenCommand } from "./mod.ts";

const T0 = Date.parse("2026-11-28T12:00:00Z");

function harness(open: OpenCommand[] = [], delta?: Record<string, unknown>) {
  const online = new Set<string>();
  const sent: { deviceId: string; suffix: string; payload: object }[] = [];
  let clock = T0;
  const gateway: DeviceGateway = {
    publishToDevice: (deviceId, suffix, payload) =>
      Promise.resolve(void sent.push({ deviceId, suffix, payload })),
    isConnected: (id) => online.has(id),
    disconnectDevice: () => 0,
    forgetDevice: () => {},
  };
  const processor = commandsProcessor({
    gateway,
    topics: { command: "aiot.command", device: "aiot.device" },
    loadOpenCommands: () => Promise.resolve(open),
    desiredDelta: () => Promise.resolve(delta),
    now: () => clock,
  });
  const ctx = { topic: "t", partition: 0, offsets: [], signal: new AbortController().signal };
  return {
    processor,
    online,
    sent,
    advance: (ms: number) => (clock += ms),
    async when(...events: DomainEvent[]) {
      const out = await processor.handle(events, ctx);
      return (out?.append?.[0]?.events ?? []).map((e) =>
        `${e.type} ${(e.data as { commandId: string }).commandId}`
      );
    },
    async tick() {
      const out = await processor.tick!(clock);
      return (out?.append?.[0]?.events ?? []).map((e) =>
        `${e.type} ${(e.data as { commandId: string }).commandId}`
      );
    },
  };
}

const requested = (id: string, device = "d1", ttlMs = 60_000) =>
  createEvent("command.requested", {
    commandId: id,
    name: "reboot",
    expiresAt: new Date(T0 + ttlMs).toISOString(),
  }, {
    key: device,
    source: "api",
  });
const connected = (device = "d1") =>
  createEvent("device.connected", { clientId: device, protocol: "mqtt" }, { key: device, source: "ingest" });

Deno.test("commands: a command to an online device is published and dispatched", async () => {
  const h = harness();
  h.online.add("d1");
  assert.deepEqual(await h.when(requested("c1")), ["command.dispatched c1"]);
  assert.equal(h.sent[0]!.suffix, "commands/c1");
  assert.deepEqual(h.sent[0]!.payload, { name: "reboot", expiresAt: new Date(T0 + 60_000).toISOString() });
  await h.when(
    createEvent("command.acked", { commandId: "c1", status: "ok" }, { key: "d1", source: "ingest" }),
  );
  assert.equal(h.processor.openCount(), 0);
});

Deno.test("commands: an offline device gets its command on reconnect, with the outstanding desired delta", async () => {
  const h = harness([], { led: "on" });
  assert.deepEqual(await h.when(requested("c2")), []);
  assert.equal(h.sent.length, 0);
  h.online.add("d1");
  assert.deepEqual(await h.when(connected()), ["command.dispatched c2"]);
  assert.deepEqual(h.sent.map((s) => s.suffix), ["commands/c2", "state/desired"]);
  assert.deepEqual(h.sent[1]!.payload, { led: "on" });
  assert.deepEqual(await h.when(connected()), [], "re-sent on reconnect, dispatched recorded once");
  assert.equal(h.sent.filter((s) => s.suffix === "commands/c2").length, 2);
});

Deno.test("commands: an unanswered command expires on tick; one loaded at start too", async () => {
  const h = harness([{
    id: "old",
    deviceId: "d9",
    name: "x",
    expiresAt: new Date(T0 + 1000).toISOString(),
    dispatched: true,
  }]);
  await h.processor.init();
  await h.when(requested("c3", "d1", 5000));
  assert.deepEqual(await h.tick(), []);
  h.advance(2000);
  assert.deepEqual(await h.tick(), ["command.expired old"]);
  h.advance(4000);
  assert.deepEqual(await h.tick(), ["command.expired c3"]);
  assert.equal(h.processor.openCount(), 0);
});

Deno.test("commands: a command already past its expiry is expired at once", async () => {
  const h = harness();
  h.online.add("d1");
  assert.deepEqual(await h.when(requested("c4", "d1", -1)), ["command.expired c4"]);
  assert.equal(h.sent.length, 0);
});

Deno.test("commands: an ack from another device than the command's is ignored; the command stays open", async () => {
  const h = harness();
  await h.when(requested("c5", "d1"));
  await h.when(
    createEvent("command.acked", { commandId: "c5", status: "ok" }, { key: "d2", source: "ingest" }),
  );
  assert.equal(h.processor.openCount(), 1);
  h.online.add("d1");
  assert.deepEqual(await h.when(connected()), ["command.dispatched c5"], "still delivered to its device");
});
