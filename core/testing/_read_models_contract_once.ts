/**
 * `ReadModelStore` contract: exactly-once projection. The checkpoint moves with the rows in one
 * transaction, so redelivery never double-applies, a failure leaves nothing behind, and a rebuild
 * from offset 0 equals the live models.
 */
import assert from "node:assert/strict";
import type { DomainEvent } from "../events/catalog.ts";
import { batchOf, dump, type ReadModelsContractCase, withReadModels } from "./_read_models_contract_kit.ts";
import { credential, type EventClock, eventClock, fixtureTime } from "./read_model_fixtures.ts";
import { getCommand, getDevice, getDeviceState } from "../readmodels/mod.ts";

/** A mixed history of 3 devices touching every projection. */
function history(c: EventClock): DomainEvent[] {
  const events: DomainEvent[] = [];
  for (const id of ["a", "b", "c"]) {
    events.push(
      c.event("device.registered", id, { name: id, labels: { kind: "x" }, credential: credential(id) }),
      c.event("device.connected", id, { clientId: id, protocol: "mqtt" }),
      c.event("device.state.reported", id, { patch: { n: 1, deep: { k: id } } }),
      c.event("device.state.desired", id, { patch: { n: 2 }, by: "ops" }),
      c.event("command.requested", id, {
        commandId: `${id}-1`,
        name: "reboot",
        expiresAt: fixtureTime(9999),
      }),
      c.event("command.dispatched", id, { commandId: `${id}-1` }),
      c.event("input.rejected", id, {
        topic: `devices/${id}/x`,
        reason: "bad",
        payloadBase64: "",
        deviceId: id,
      }),
      c.event("device.state.reported", id, { patch: { n: 2, deep: null } }),
    );
  }
  return events;
}

export const exactlyOnceCases: ReadModelsContractCase[] = [
  {
    name: "projecting the same batch twice leaves identical rows and skips every event",
    run: (f) =>
      withReadModels(f, async (rm) => {
        const batch = batchOf(history(eventClock()), 100);
        assert.equal(await rm.checkpoint("readmodels", "aiot.device", 0), undefined);
        assert.deepEqual(await rm.project(batch), { applied: 24, skipped: 0 });
        const once = await dump(rm, ["a", "b", "c"]);
        assert.equal(await rm.checkpoint("readmodels", "aiot.device", 0), 124);
        assert.deepEqual(await rm.project(batch), { applied: 0, skipped: 24 });
        assert.deepEqual(await dump(rm, ["a", "b", "c"]), once);
        assert.equal(once.states[0]?.version, 3);
        assert.equal(await rm.checkpoint("readmodels", "aiot.device", 0), 124);
      }),
  },
  {
    name: "a batch overlapping the checkpoint applies only its new part",
    run: (f) =>
      withReadModels(f, async (rm) => {
        const events = history(eventClock());
        await rm.project(batchOf(events.slice(0, 10), 0));
        assert.deepEqual(await rm.project(batchOf(events.slice(5, 24), 5)), { applied: 14, skipped: 5 });
        const live = await dump(rm, ["a", "b", "c"]);
        await rm.clear();
        await rm.project(batchOf(events, 0));
        assert.deepEqual(live, await dump(rm, ["a", "b", "c"]), "equals a single clean pass");
        assert.deepEqual(live.states.map((s) => s?.version), [3, 3, 3], "no reported event applied twice");
      }),
  },
  {
    name: "events it does not project still advance the checkpoint; checkpoints are per partition",
    run: (f) =>
      withReadModels(f, async (rm) => {
        const c = eventClock();
        const alert = {
          ...c.event("device.registered", "z", {}),
          type: "ota.job.reported", // no read model projects it
        } as unknown as DomainEvent;
        assert.deepEqual(await rm.project(batchOf([alert], 7)), { applied: 1, skipped: 0 });
        assert.equal(await getDevice(rm, "z"), undefined);
        assert.equal(await rm.checkpoint("readmodels", "aiot.device", 0), 8);
        await rm.project(batchOf([c.event("device.registered", "y", {})], 3, 1));
        assert.equal(await rm.checkpoint("readmodels", "aiot.device", 1), 4);
        assert.equal(await rm.checkpoint("readmodels", "aiot.device", 0), 8);
        assert.equal(await rm.checkpoint("other", "aiot.device", 1), undefined);
        assert.deepEqual(await rm.project({ ...batchOf([], 0) }), { applied: 0, skipped: 0 });
        await assert.rejects(rm.project({ ...batchOf([alert], 0), offsets: [] }), RangeError);
      }),
  },
  {
    name: "clear() then replaying from offset 0 rebuilds rows equal to the live ones",
    run: (f) =>
      withReadModels(f, async (rm) => {
        const events = history(eventClock());
        for (let i = 0; i < events.length; i += 5) await rm.project(batchOf(events.slice(i, i + 5), i));
        const live = await dump(rm, ["a", "b", "c"]);
        await rm.clear();
        assert.equal(await rm.checkpoint("readmodels", "aiot.device", 0), undefined);
        assert.deepEqual(await dump(rm, ["a", "b", "c"]), {
          devices: [],
          states: [undefined, undefined, undefined],
          commands: [],
          dlq: [],
        });
        await rm.project(batchOf(events, 0));
        assert.deepEqual(await dump(rm, ["a", "b", "c"]), live);
        await rm.migrate(); // idempotent, keeps rows
        assert.deepEqual(await dump(rm, ["a", "b", "c"]), live);
      }),
  },
  {
    name: "a failure mid-transaction leaves neither rows nor checkpoint",
    run: (f) =>
      withReadModels(f, async (rm, faults) => {
        const c = eventClock();
        await rm.project(batchOf([c.event("device.registered", "a", { name: "before" })], 0));
        const batch = batchOf([
          c.event("device.updated", "a", { name: "after" }),
          c.event("device.registered", "b", {}),
          c.event("device.state.reported", "b", { patch: { x: 1 } }),
          c.event("command.requested", "b", { commandId: "cb", name: "reboot", expiresAt: fixtureTime(999) }),
        ], 1);
        faults.failWritesTo = "commands";
        await assert.rejects(rm.project(batch));
        faults.failWritesTo = undefined;
        assert.equal((await getDevice(rm, "a"))?.name, "before");
        assert.equal(await getDevice(rm, "b"), undefined);
        assert.equal(await getDeviceState(rm, "b"), undefined);
        assert.equal(await rm.checkpoint("readmodels", "aiot.device", 0), 1);
        assert.deepEqual(await rm.project(batch), { applied: 4, skipped: 0 });
        assert.equal((await getDevice(rm, "a"))?.name, "after");
        assert.equal((await getCommand(rm, "cb"))?.status, "requested");
      }),
  },
];
