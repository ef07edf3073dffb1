import assert from "node:assert/strict";
import type { Camera } from "./camera_api.ts";
import {
  applyCameraEvents,
  type CameraView,
  filterCameras,
  groupCameras,
  labelKeys,
  statusAfter,
  statusText,
} from "./camera_model.ts";
import type { LiveEvent } from "./live_stream.ts";

const camera = (id: string, labels: Record<string, string> = {}, more: Partial<Camera> = {}): CameraView => ({
  id,
  labels,
  source: { kind: "rtsp", url: `rtsp://cams.example/${id}` },
  record: true,
  retentionHours: 24,
  status: "starting",
  ...more,
});

const event = (type: string, key: string, data: unknown, time = "2026-11-30T10:00:00.000Z") =>
  ({ id: `e-${key}-${time}`, type, v: 1, key, time, ingestedAt: time, source: "test", data }) as LiveEvent;

const byId = (...cameras: CameraView[]) => new Map(cameras.map((c) => [c.id, c]));

Deno.test("statusAfter() reads camera.stream.online and .offline, ignores other events", () => {
  assert.deepEqual(
    statusAfter(
      event("camera.stream.online", "c", { source: "rtsp", codec: "h264", width: 640, height: 360 }),
    ),
    { status: "online", video: { codec: "h264", width: 640, height: 360 } },
  );
  assert.deepEqual(statusAfter(event("camera.stream.offline", "c", { reason: "connection refused" })), {
    status: "offline",
    reason: "connection refused",
  });
  assert.equal(statusAfter(event("device.connected", "c", {})), undefined);
});

Deno.test("applyCameraEvents() moves a camera online then offline with the reason and time", () => {
  const start = byId(camera("a"), camera("b"));
  const online = applyCameraEvents(start, [
    event("camera.stream.online", "a", { source: "rtsp", codec: "h264", width: 1280, height: 720 }),
  ]);
  assert.notEqual(online, start);
  assert.equal(statusText(online.get("a")!), "online · H264 1280×720");
  assert.equal(online.get("b"), start.get("b"));
  const offline = applyCameraEvents(online, [
    event("camera.stream.offline", "a", { reason: "connection refused" }, "2026-11-30T10:05:00.000Z"),
  ]);
  const a = offline.get("a")!;
  assert.equal(a.status, "offline");
  assert.equal(a.since, "2026-11-30T10:05:00.000Z");
  assert.equal(statusText(a), "offline: connection refused");
  assert.equal(a.codec, "h264", "what is known of the video stays");
  const back = applyCameraEvents(offline, [
    event("camera.stream.online", "a", {}, "2026-11-30T10:06:00.000Z"),
  ]);
  assert.equal(back.get("a")!.reason, undefined);
  assert.equal(statusText(back.get("a")!), "online");
});

Deno.test("applyCameraEvents() keeps a status newer than the event and skips unknown cameras", () => {
  const start = byId(
    camera("a", {}, { status: "offline", reason: "gone", since: "2026-11-30T11:00:00.000Z" }),
  );
  const after = applyCameraEvents(start, [
    event("camera.stream.online", "a", {}, "2026-11-30T10:00:00.000Z"),
    event("camera.stream.online", "zz", {}),
    event("device.connected", "a", {}),
  ]);
  assert.equal(after, start);
});

Deno.test("statusText() says starting and offline without a reason", () => {
  assert.equal(statusText(camera("a")), "starting");
  assert.equal(statusText(camera("a", {}, { status: "offline" })), "offline");
});

Deno.test("filterCameras() by label key, key:value and free text, in id order", () => {
  const cameras = [
    camera("gate", { site: "north" }, { name: "Front gate" }),
    camera("dock", { site: "south", zone: "loading" }),
    camera("lobby", { site: "north" }),
  ];
  assert.deepEqual(filterCameras(cameras, "", "").map((c) => c.id), ["dock", "gate", "lobby"]);
  assert.deepEqual(filterCameras(cameras, "", "site:north").map((c) => c.id), ["gate", "lobby"]);
  assert.deepEqual(filterCameras(cameras, "", "zone").map((c) => c.id), ["dock"]);
  assert.deepEqual(filterCameras(cameras, "FRONT", "").map((c) => c.id), ["gate"]);
  assert.deepEqual(filterCameras(cameras, "loading", "site").map((c) => c.id), ["dock"]);
});

Deno.test("groupCameras() makes one section per label value, cameras without it last", () => {
  const cameras = [
    camera("a", { site: "south" }),
    camera("b"),
    camera("c", { site: "north" }),
    camera("d", {
      site: "south",
    }),
  ];
  assert.deepEqual(groupCameras(cameras, "site").map((g) => [g.title, g.cameras.map((c) => c.id)]), [
    ["site: north", ["c"]],
    ["site: south", ["a", "d"]],
    ["no site", ["b"]],
  ]);
  assert.deepEqual(groupCameras(cameras, "").map((g) => [g.title, g.cameras.length]), [["All cameras", 4]]);
  assert.deepEqual(groupCameras([], ""), []);
  assert.deepEqual(labelKeys(cameras), ["site"]);
});
