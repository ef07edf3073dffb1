import assert from "node:assert/strict";
import { createEvent } from "../../events/catalog.ts";
import { projectionSpec } from "../../testing/projection_spec.ts";
import { type CameraRow, evolveCamera } from "./model.ts";

const spec = projectionSpec<CameraRow>(evolveCamera);
const at = (time: string) => ({ key: "cam1", source: "api", time });

const configured = createEvent("camera.configured", {
  name: "Gate",
  labels: { site: "a" },
  source: { kind: "rtsp", url: "rtsp://cam.example.com/s1" },
  credentials: "v1.sealed",
  record: true,
  retentionHours: 24,
  by: "op",
}, at("2026-11-30T10:00:00Z"));
const online = createEvent("camera.stream.online", {
  source: "rtsp",
  codec: "h264",
  width: 1280,
  height: 720,
}, {
  ...at("2026-11-30T10:00:05Z"),
  source: "cameras",
});
const offline = (time: string, reason: string) =>
  createEvent("camera.stream.offline", { reason }, { ...at(time), source: "cameras" });

const created: CameraRow = {
  id: "cam1",
  name: "Gate",
  labels: { site: "a" },
  source: { kind: "rtsp", url: "rtsp://cam.example.com/s1" },
  credentials: "v1.sealed",
  record: true,
  retentionHours: 24,
  status: "starting",
  since: "2026-11-30T10:00:00.000Z",
  createdAt: "2026-11-30T10:00:00.000Z",
  updatedAt: "2026-11-30T10:00:00.000Z",
};

Deno.test("cameras: camera.configured creates a starting camera", () => {
  spec.given(configured).then(created);
});

Deno.test("cameras: online carries the video; offline its reason and since, kept while it stays offline", () => {
  spec.given(configured, online).then({
    ...created,
    status: "online",
    since: "2026-11-30T10:00:05.000Z",
    codec: "h264",
    width: 1280,
    height: 720,
  });
  spec.given(
    configured,
    online,
    offline("2026-11-30T10:01:00Z", "unreachable host (timed out)"),
    offline("2026-11-30T10:02:00Z", "wrong credentials (401)"),
  )
    .thenRow((row) => {
      assert.equal(row?.status, "offline");
      assert.equal(row?.reason, "wrong credentials (401)");
      assert.equal(row?.since, "2026-11-30T10:01:00.000Z");
    });
});

Deno.test("cameras: a new source drops the old credentials and starts over; other changes keep the status", () => {
  const newSource = createEvent(
    "camera.configured",
    { source: { kind: "rtsp", url: "rtsp://other/s" } },
    at("2026-11-30T11:00:00Z"),
  );
  spec.given(configured, online, newSource).thenRow((row) => {
    assert.equal(row?.credentials, undefined);
    assert.equal(row?.status, "starting");
    assert.equal(row?.codec, undefined);
  });
  const renamed = createEvent(
    "camera.configured",
    { name: "Back gate", record: false },
    at("2026-11-30T11:00:00Z"),
  );
  spec.given(configured, online, renamed).thenRow((row) => {
    assert.equal(row?.name, "Back gate");
    assert.equal(row?.record, false);
    assert.equal(row?.status, "online");
  });
});

Deno.test("cameras: camera.removed drops the row; stream events of an unknown camera change nothing", () => {
  spec.given(configured, createEvent("camera.removed", {}, at("2026-11-30T12:00:00Z"))).then(undefined);
  spec.given(online).then(undefined);
  spec.given(createEvent("camera.configured", { name: "x" }, at("2026-11-30T12:00:00Z"))).then(undefined);
});
