import assert from "node:assert/strict";
import type { Device } from "./api_client.ts";
import { applyCameraStatuses, applyDetails, applyEvents, createFleet, filterFleet } from "./fleet_model.ts";
import type { LiveEvent } from "./live_stream.ts";

const device = (id: string, labels: Record<string, string> = {}, name?: string): Device => ({
  id,
  labels,
  status: "active",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  ...(name ? { name } : {}),
});

const event = (type: LiveEvent["type"], key: string, data: unknown, at = "2026-01-02T00:00:00.000Z") =>
  ({
    id: `e-${Math.random()}`,
    type,
    v: 1,
    key,
    time: at,
    ingestedAt: at,
    source: "test",
    data,
  }) as LiveEvent;

Deno.test("applyEvents() adds registered devices in id order and counts a membership change", () => {
  const fleet = createFleet([device("b"), device("d")]);
  assert.equal(applyEvents(fleet, [event("device.registered", "c", { labels: { site: "x" } })]), true);
  assert.deepEqual(fleet.ids, ["b", "c", "d"]);
  assert.deepEqual(fleet.rows.get("c")!.device.labels, { site: "x" });
  assert.equal(fleet.membership, 1);
});

Deno.test("applyEvents() tracks connection, last seen and the newest value of each metric", () => {
  const fleet = createFleet([device("a")]);
  applyEvents(fleet, [
    event("device.connected", "a", { protocol: "mqtt" }, "2026-01-02T00:00:01.000Z"),
    event("telemetry.reported", "a", {
      values: [{ name: "t", value: 2, ts: 20 }, { name: "h", value: 5, ts: 20 }],
    }),
    event(
      "telemetry.reported",
      "a",
      { values: [{ name: "t", value: 1, ts: 10 }] },
      "2026-01-02T00:00:03.000Z",
    ),
  ]);
  const row = fleet.rows.get("a")!;
  assert.equal(row.connected, true);
  assert.equal(row.lastSeen, "2026-01-02T00:00:03.000Z");
  assert.deepEqual(row.metrics.get("t"), { value: 2, t: 20 });
  assert.equal(applyEvents(fleet, [event("device.disconnected", "a", {})]), true);
  assert.equal(row.connected, false);
  assert.equal(applyEvents(fleet, [event("telemetry.reported", "zz", { values: [] })]), false);
});

Deno.test("a row's revision moves when that row changes, and only then", () => {
  const fleet = createFleet([device("a"), device("b")]);
  const a = fleet.rows.get("a")!;
  const b = fleet.rows.get("b")!;
  const revisions = () => [a.revision, b.revision];
  applyEvents(fleet, [event("telemetry.reported", "a", { values: [{ name: "t", value: 1, ts: 1 }] })]);
  assert.deepEqual(revisions(), [1, 0]);
  applyEvents(fleet, [event("device.connected", "b", {}), event("device.state.reported", "b", {})]);
  assert.deepEqual(revisions(), [1, 2]);
  assert.equal(applyEvents(fleet, [event("telemetry.reported", "zz", { values: [] })]), false);
  assert.deepEqual(revisions(), [1, 2]);
  applyDetails(fleet, "a", { connected: true, lastSeen: null, metrics: [] });
  assert.deepEqual(revisions(), [2, 2]);
  applyEvents(fleet, [event("camera.stream.online", "b", { source: "rtsp", codec: "h264" })]);
  assert.deepEqual(revisions(), [2, 3]);
});

Deno.test("applyDetails() keeps live values that are newer than the fetched ones", () => {
  const fleet = createFleet([device("a")]);
  applyEvents(fleet, [event("device.disconnected", "a", {}, "2026-01-03T00:00:00.000Z")]);
  applyDetails(fleet, "a", {
    connected: true,
    lastSeen: "2026-01-01T00:00:00.000Z",
    metrics: [{ metric: "t", t: 5, value: 9 }],
  });
  const row = fleet.rows.get("a")!;
  assert.equal(row.connected, false);
  assert.equal(row.lastSeen, "2026-01-03T00:00:00.000Z");
  assert.deepEqual(row.metrics.get("t"), { value: 9, t: 5 });
  assert.equal(row.detailsLoaded, true);
});

Deno.test("filterFleet() matches search text and key or key:value label filters", () => {
  const fleet = createFleet([
    device("pump-1", { site: "north" }, "Boiler pump"),
    device("pump-2", { site: "south" }),
    device("valve-1", { site: "north", kind: "valve" }),
  ]);
  assert.deepEqual(filterFleet(fleet, "", ""), ["pump-1", "pump-2", "valve-1"]);
  assert.deepEqual(filterFleet(fleet, "boiler", ""), ["pump-1"]);
  assert.deepEqual(filterFleet(fleet, "", "site:north"), ["pump-1", "valve-1"]);
  assert.deepEqual(filterFleet(fleet, "pump", "site:north"), ["pump-1"]);
  assert.deepEqual(filterFleet(fleet, "", "kind"), ["valve-1"]);
  assert.deepEqual(filterFleet(fleet, "SOUTH", ""), ["pump-2"]);
});

Deno.test("fleet cameras: listed statuses seed the rows, camera.stream.* events keep them current", () => {
  const fleet = createFleet([device("cam-1"), device("cam-2"), device("fridge")]);
  applyCameraStatuses(fleet, [
    {
      id: "cam-1",
      labels: {},
      source: { kind: "push" },
      record: false,
      retentionHours: 24,
      status: "offline",
      reason: "unreachable host",
    },
  ]);
  assert.deepEqual(fleet.rows.get("cam-1")!.camera, { status: "offline", reason: "unreachable host" });
  assert.equal(fleet.rows.get("fridge")!.camera, undefined);
  assert.equal(
    applyEvents(fleet, [
      event("camera.stream.online", "cam-1", { source: "rtsp", codec: "h264" }),
      event("camera.stream.offline", "cam-2", { reason: "wrong credentials (401)" }),
    ]),
    true,
  );
  assert.equal(fleet.rows.get("cam-1")!.camera?.status, "online");
  assert.deepEqual(fleet.rows.get("cam-2")!.camera, { status: "offline", reason: "wrong credentials (401)" });
  // A listing that arrives late does not undo what the stream said.
  applyCameraStatuses(fleet, [{
    ...device("cam-1"),
    source: { kind: "push" },
    record: false,
    retentionHours: 1,
    status: "starting",
  }]);
  assert.equal(fleet.rows.get("cam-1")!.camera?.status, "online");
});

Deno.test("fleet cameras: a camera registered live starts as a starting camera", () => {
  const fleet = createFleet([]);
  applyEvents(fleet, [event("device.registered", "cam-9", { labels: {}, kind: "camera" })]);
  assert.equal(fleet.rows.get("cam-9")!.device.kind, "camera");
  assert.deepEqual(fleet.rows.get("cam-9")!.camera, { status: "starting" });
});
