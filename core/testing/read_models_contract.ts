/**
 * The one contract every `ReadModelStore` passes: the in-memory fake, SQLite and PostgreSQL. Each
 * adapter's test file registers the cases with its own factory:
 *
 * ```ts
 * for (const c of readModelsContract) Deno.test(`ReadModelStore contract [sqlite] › ${c.name}`, () => c.run(factory));
 * ```
 */
import assert from "node:assert/strict";
import { batchOf, type ReadModelsContractCase, withReadModels } from "./_read_models_contract_kit.ts";
import { exactlyOnceCases } from "./_read_models_contract_once.ts";
import { listingCases } from "./_read_models_contract_listing.ts";
import { credential, eventClock, fixtureTime } from "./read_model_fixtures.ts";
import { listDeviceMetrics } from "../readmodels/device_metrics/queries.ts";
import { getCommand, getDevice, getDeviceState, listCommands, listDevices } from "../readmodels/mod.ts";

export { batchOf, type ReadModelsContractCase, type ReadModelsFactory } from "./_read_models_contract_kit.ts";

const projectionCases: ReadModelsContractCase[] = [
  {
    name: "projects the registry: register, update, rotate credentials, decommission",
    run: (f) =>
      withReadModels(f, async (rm) => {
        const c = eventClock();
        await rm.project(batchOf([
          c.event("device.registered", "d1", {
            name: "Boiler",
            labels: { site: "paris" },
            credential: credential("a"),
          }, 10),
          c.event("device.updated", "d1", { model: "B-2", labels: { site: "lyon", floor: "2" } }, 20),
        ], 0));
        assert.deepEqual(await getDevice(rm, "d1"), {
          id: "d1",
          name: "Boiler",
          model: "B-2",
          labels: { site: "lyon", floor: "2" },
          status: "active",
          credential: credential("a"),
          createdAt: fixtureTime(10),
          updatedAt: fixtureTime(20),
        });
        await rm.project(
          batchOf([c.event("device.credentials.rotated", "d1", { credential: credential("b") }, 30)], 2),
        );
        assert.deepEqual((await getDevice(rm, "d1"))?.credential, credential("b"));
        await rm.project(batchOf([c.event("device.decommissioned", "d1", { reason: "gone" }, 40)], 3));
        const row = await getDevice(rm, "d1");
        assert.equal(row?.status, "decommissioned");
        assert.equal(row?.credential, undefined);
        assert.equal(row?.updatedAt, fixtureTime(40));
        const listed = await listDevices(rm);
        assert.deepEqual(listed.items.map((d) => [d.id, d.status]), [["d1", "decommissioned"]]);
        assert.equal(await getDevice(rm, "nobody"), undefined);
      }),
  },
  {
    name: "projects the shadow: reported/desired merge with null deletes, nested delta, version",
    run: (f) =>
      withReadModels(f, async (rm) => {
        const c = eventClock();
        await rm.project(batchOf([
          c.event("device.state.desired", "d1", {
            patch: { mode: "eco", fan: { speed: 3, on: true } },
            by: "alice",
          }, 5),
          c.event("device.state.reported", "d1", {
            patch: { mode: "eco", fan: { speed: 1, on: true }, tmp: [1] },
          }, 6),
        ], 0));
        await rm.project(batchOf([
          c.event(
            "device.state.reported",
            "d1",
            { patch: { tmp: null, fan: { speed: 2 }, "ü key": "ü" } },
            7,
          ),
        ], 2));
        assert.deepEqual(await getDeviceState(rm, "d1"), {
          deviceId: "d1",
          reported: { mode: "eco", fan: { speed: 2, on: true }, "ü key": "ü" },
          desired: { mode: "eco", fan: { speed: 3, on: true } },
          delta: { fan: { speed: 3 } },
          version: 3,
          connected: false,
          lastSeen: fixtureTime(7),
        });
        await rm.project(batchOf([
          c.event("device.state.desired", "d1", { patch: { fan: null }, by: "alice" }, 8),
        ], 3));
        const row = await getDeviceState(rm, "d1");
        assert.deepEqual([row?.desired, row?.delta, row?.version], [{ mode: "eco" }, {}, 4]);
        assert.equal(await getDeviceState(rm, "nobody"), undefined);
      }),
  },
  {
    name: "projects connectivity: connected follows the latest event, lastSeen only moves forward",
    run: (f) =>
      withReadModels(f, async (rm) => {
        const c = eventClock();
        await rm.project(batchOf([
          c.event("device.connected", "d1", { clientId: "d1", protocol: "mqtts" }, 100),
          c.event("telemetry.reported", "d1", { values: [{ name: "t", value: 1, ts: 1 }] }, 200),
        ], 0));
        let row = await getDeviceState(rm, "d1");
        assert.deepEqual([row?.connected, row?.lastSeen, row?.version], [true, fixtureTime(200), 0]);
        await rm.project(batchOf([
          c.event("telemetry.reported", "d1", { values: [{ name: "t", value: 2, ts: 1 }] }, 150),
          c.event("device.state.desired", "d1", { patch: { x: 1 }, by: "alice" }, 300),
          c.event("device.disconnected", "d1", { clientId: "d1", reason: "keepalive_timeout" }, 250),
        ], 2));
        row = await getDeviceState(rm, "d1");
        assert.deepEqual([row?.connected, row?.lastSeen, row?.version], [false, fixtureTime(250), 1]);
      }),
  },
  {
    name: "projects the command lifecycle, ignoring late events after a final status",
    run: (f) =>
      withReadModels(f, async (rm) => {
        const c = eventClock();
        const request = (id: string, at: number) =>
          c.event("command.requested", "d1", {
            commandId: id,
            name: "reboot",
            params: { delay: 5 },
            expiresAt: fixtureTime(at + 600),
            requestedBy: "alice",
          }, at);
        await rm.project(batchOf([
          request("c1", 10),
          c.event("command.acked", "d1", { commandId: "c1", status: "ok", result: { up: true } }, 12),
          c.event("command.dispatched", "d1", { commandId: "c1" }, 11),
          request("c2", 20),
          c.event("command.dispatched", "d1", { commandId: "c2" }, 21),
          request("c3", 30),
          c.event("command.acked", "d9", { commandId: "never-requested", status: "ok" }, 31),
        ], 0));
        await rm.project(batchOf([
          c.event("command.expired", "d1", { commandId: "c1" }, 40),
          c.event("command.acked", "d1", { commandId: "c2", status: "error", error: "busy" }, 41),
          c.event("command.failed", "d1", { commandId: "c2", reason: "late" }, 42),
        ], 7));
        assert.deepEqual(await getCommand(rm, "c1"), {
          id: "c1",
          deviceId: "d1",
          name: "reboot",
          params: { delay: 5 },
          status: "acked",
          ackStatus: "ok",
          result: { up: true },
          requestedAt: fixtureTime(10),
          dispatchedAt: fixtureTime(11),
          completedAt: fixtureTime(12),
          expiresAt: fixtureTime(610),
          requestedBy: "alice",
        });
        const c2 = await getCommand(rm, "c2");
        assert.deepEqual([c2?.status, c2?.ackStatus, c2?.error, c2?.completedAt], [
          "acked",
          "error",
          "busy",
          fixtureTime(41),
        ]);
        assert.equal(await getCommand(rm, "never-requested"), undefined);
        const all = await listCommands(rm, { deviceId: "d1" });
        assert.deepEqual(all.map((r) => r.id), ["c3", "c2", "c1"], "newest first");
        assert.deepEqual((await listCommands(rm, { deviceId: "d1", status: "requested" })).map((r) => r.id), [
          "c3",
        ]);
        assert.deepEqual((await listCommands(rm, { deviceId: "d1", limit: 1 })).map((r) => r.id), ["c3"]);
        assert.deepEqual(await listCommands(rm, { deviceId: "d2" }), []);
      }),
  },
  {
    name:
      "projects device metrics: latest value by event time with its unit and quality, point counts, any value type",
    run: (f) =>
      withReadModels(f, async (rm) => {
        const c = eventClock();
        await rm.project(batchOf([
          c.event("telemetry.reported", "d1", {
            values: [
              { name: "temp", value: 21.5, ts: 2_000, unit: "°C", quality: "uncertain" },
              { name: "door", value: true, ts: 2_000 },
            ],
          }),
          c.event("telemetry.reported", "d2", { values: [{ name: "temp", value: 1, ts: 9_000 }] }),
        ], 0));
        await rm.project(batchOf([
          c.event("telemetry.reported", "d1", {
            values: [{ name: "temp", value: 19, ts: 1_000, unit: "K" }, {
              name: "mode",
              value: "eco",
              ts: 1_500,
            }],
          }),
        ], 2));
        // Equal time in a later batch: the later point wins, as it would point by point.
        await rm.project(batchOf([
          c.event("telemetry.reported", "d1", {
            values: [{ name: "door", value: false, ts: 2_000, quality: "bad" }],
          }),
        ], 3));
        // The latest point's unit and quality (v2) go with its value; an older one changes neither.
        assert.deepEqual(await listDeviceMetrics(rm, "d1"), [
          { deviceId: "d1", metric: "door", value: false, t: 2_000, quality: "bad", count: 2 },
          { deviceId: "d1", metric: "mode", value: "eco", t: 1_500, count: 1 },
          {
            deviceId: "d1",
            metric: "temp",
            value: 21.5,
            t: 2_000,
            unit: "°C",
            quality: "uncertain",
            count: 2,
          },
        ]);
        assert.deepEqual((await listDeviceMetrics(rm, "d2")).map((m) => [m.metric, m.value, m.count]), [
          ["temp", 1, 1],
        ]);
        assert.deepEqual(await listDeviceMetrics(rm, "nobody"), []);
      }),
  },
];

export const readModelsContract: ReadModelsContractCase[] = [
  ...projectionCases,
  ...listingCases,
  ...exactlyOnceCases,
];
