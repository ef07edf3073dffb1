// deno-lint-ignore-file no-explicit-any -- API answers are JSON checked field by field
import assert from "node:assert/strict";
import { CameraUnavailableError, WhepOfferError } from "../../core/cameras/mod.ts";
import { createEvent } from "../../core/events/catalog.ts";
import { createTestApp, T0, type TestApp } from "../_test_app.ts";
import type { CameraApiDeps } from "../deps.ts";

/** Fakes of the camera ports: a reversible "seal", a guard refusing 127/8, files and segments in memory. */
function fakeCameras() {
  const whepCalls: { cameraId: string; offer: string }[] = [];
  let whepFails: Error | undefined;
  const deps: CameraApiDeps = {
    secrets: {
      seal: (plain, context) => Promise.resolve(`sealed:${context}:${btoa(plain)}`),
      open: (sealed) => Promise.resolve(atob(sealed.split(":")[2]!)),
    },
    checkUrl: (url) =>
      Promise.resolve(
        new URL(url.replace(/^rtsp/, "http")).hostname.startsWith("127.")
          ? "is a loopback address"
          : undefined,
      ),
    media: {
      readFile: (cameraId, name) =>
        Promise.resolve(
          cameraId === "cam1" && name === "live.m3u8"
            ? {
              body: new TextEncoder().encode("#EXTM3U\n"),
              size: 8,
              contentType: "application/vnd.apple.mpegurl",
            }
            : undefined,
        ),
      recordedSegments: () =>
        Promise.resolve([
          { name: "1-1.ts", start: T0, duration: 2 },
          { name: "1-2.ts", start: T0 + 2000, duration: 2 },
          { name: "2-9.ts", start: T0 + 60_000, duration: 2 },
        ]),
    },
    whep: {
      open(cameraId, offer) {
        whepCalls.push({ cameraId, offer });
        if (whepFails) return Promise.reject(whepFails);
        return Promise.resolve({ sessionId: "77", answer: "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 102\r\n" });
      },
      close: (cameraId, sessionId) => Promise.resolve(cameraId === "cam1" && sessionId === "77"),
    },
    whepOnlineWaitMs: 500,
  };
  return { deps, whepCalls, failWhep: (error: Error | undefined) => (whepFails = error) };
}

async function appWithCamera(): Promise<{ t: TestApp; fakes: ReturnType<typeof fakeCameras> }> {
  const fakes = fakeCameras();
  const t = await createTestApp({ cameras: fakes.deps });
  const created = await t.call("POST", "/api/v1/cameras", {
    as: "operator",
    body: {
      id: "cam1",
      name: "Gate",
      labels: { site: "north" },
      source: { kind: "rtsp", url: "rtsp://viewer:s3cret@cam.example.com:554/s1" },
    },
  });
  assert.equal(created.status, 201, await created.clone().text());
  return { t, fakes };
}

const sdp = (t: TestApp, path: string, body: string, as = "viewer", type = "application/sdp") =>
  t.app.request(path, {
    method: "POST",
    headers: { authorization: `Bearer ${t.tokens[as as "viewer"]}`, "content-type": type },
    body,
  });

Deno.test("POST /cameras: a camera device whose credentials are sealed and never answered", async () => {
  const { t } = await appWithCamera();
  const one = await (await t.call("GET", "/api/v1/cameras/cam1", { as: "viewer" })).json();
  assert.deepEqual(one, {
    id: "cam1",
    name: "Gate",
    labels: { site: "north" },
    source: { kind: "rtsp", url: "rtsp://cam.example.com:554/s1" },
    record: true,
    retentionHours: 24,
    status: "starting",
    since: new Date(T0).toISOString(),
  });
  const configured = t.appended.find((e) => e.type === "camera.configured")!;
  assert.equal((configured.data as any).credentials, `sealed:cam1:${btoa("viewer:s3cret")}`);
  const device = await (await t.call("GET", "/api/v1/devices/cam1", { as: "viewer" })).json();
  assert.equal(device.kind, "camera");
  const list = await (await t.call("GET", "/api/v1/cameras?label=site:north", { as: "viewer" })).json();
  assert.deepEqual(list.items.map((c: any) => c.id), ["cam1"]);
  assert.deepEqual(
    (await (await t.call("GET", "/api/v1/cameras?label=site:south", { as: "viewer" })).json()).items,
    [],
  );
  for (const response of [one, list, device]) assert.ok(!JSON.stringify(response).includes("s3cret"));
  assert.equal(
    (await t.call("POST", "/api/v1/cameras", {
      as: "operator",
      body: { id: "cam1", source: { kind: "rtsp", url: "rtsp://a.example.com/x" } },
    })).status,
    409,
  );
});

Deno.test("POST /cameras: viewers may not; bad URLs are a 400 naming source.url", async () => {
  const t = await createTestApp({ cameras: fakeCameras().deps });
  const body = { source: { kind: "rtsp", url: "rtsp://cam.example.com/s" } };
  assert.equal((await t.call("POST", "/api/v1/cameras", { as: "viewer", body })).status, 403);
  for (const url of ["file:///etc/passwd", "http://cam.example.com/s", "rtsp://127.0.0.1:554/s", "rtsp://"]) {
    const refused = await t.call("POST", "/api/v1/cameras", {
      as: "operator",
      body: { source: { kind: "rtsp", url } },
    });
    assert.equal(refused.status, 400, url);
    assert.equal((await refused.json()).error.details[0].path, "source.url", url);
  }
  const noPush = await t.call("POST", "/api/v1/cameras", {
    as: "operator",
    body: { source: { kind: "push" } },
  });
  assert.equal(noPush.status, 400, "push ingest not configured");
  assert.equal((await noPush.json()).error.details[0].path, "source.kind");
});

Deno.test("POST /cameras with a push source: its publish URL and stream key once, the key sealed", async () => {
  const t = await createTestApp({
    cameras: { ...fakeCameras().deps, pushUrl: "rtmp://push.example.com:1935/live" },
  });
  const created = await t.call("POST", "/api/v1/cameras", {
    as: "operator",
    body: { id: "door", source: { kind: "push" } },
  });
  assert.equal(created.status, 201);
  const body = await created.json();
  assert.deepEqual(body.source, { kind: "push" });
  assert.equal(body.push.url, `rtmp://push.example.com:1935/live/${body.push.secret}`);
  const configured = t.appended.find((e) => e.type === "camera.configured")!;
  assert.equal((configured.data as any).credentials, `sealed:door:${btoa(body.push.secret)}`);
  const again = await (await t.call("GET", "/api/v1/cameras/door", { as: "viewer" })).json();
  assert.ok(!JSON.stringify(again).includes(body.push.secret));
});

Deno.test("PATCH /cameras/{id}: renames the device too; a new source is sealed again", async () => {
  const { t } = await appWithCamera();
  const patched = await t.call("PATCH", "/api/v1/cameras/cam1", {
    as: "operator",
    body: {
      name: "Back gate",
      source: { kind: "rtsp", url: "rtsp://u2:p2@cam2.example.com/s" },
      record: false,
    },
  });
  assert.equal(patched.status, 200);
  const view = await patched.json();
  assert.equal(view.name, "Back gate");
  assert.equal(view.record, false);
  assert.equal(view.source.url, "rtsp://cam2.example.com/s");
  assert.equal(
    (await (await t.call("GET", "/api/v1/devices/cam1", { as: "viewer" })).json()).name,
    "Back gate",
  );
  const last = t.appended.findLast((e) => e.type === "camera.configured")!;
  assert.equal((last.data as any).credentials, `sealed:cam1:${btoa("u2:p2")}`);
  assert.equal(
    (await t.call("PATCH", "/api/v1/cameras/none", { as: "operator", body: { name: "x" } })).status,
    404,
  );
});

Deno.test("WHEP: 503 until online, then the gateway's answer as application/sdp; 406, 415; DELETE ends it", async () => {
  const { t, fakes } = await appWithCamera();
  const refused = await sdp(t, "/api/v1/cameras/cam1/whep", "v=0\r\n");
  assert.equal(refused.status, 503);
  assert.match((await refused.json()).error.message, /is starting/);
  assert.deepEqual(fakes.whepCalls, [], "a camera not online is not asked for");
  // Asked while its read model still says "starting" (the live feed runs ahead of it): the request
  // waits for the row to say online, then is answered.
  const asked = sdp(t, "/api/v1/cameras/cam1/whep", "v=0\r\noffer");
  await new Promise((resolve) => setTimeout(resolve, 150));
  await t.deps.appendEvents(t.deps.topics.device, [
    createEvent("camera.stream.online", { source: "rtsp", codec: "h264" }, {
      key: "cam1",
      source: "cameras",
    }),
  ]);
  const answered = await asked;
  assert.equal(answered.status, 201);
  assert.equal(answered.headers.get("content-type"), "application/sdp");
  assert.equal(answered.headers.get("location"), "/api/v1/cameras/cam1/whep/77");
  assert.match(await answered.text(), /^m=video/m);
  assert.deepEqual(fakes.whepCalls, [{ cameraId: "cam1", offer: "v=0\r\noffer" }]);
  assert.equal((await sdp(t, "/api/v1/cameras/cam1/whep", "v=0", "viewer", "text/plain")).status, 415);
  fakes.failWhep(new WhepOfferError("no H.264"));
  assert.equal((await sdp(t, "/api/v1/cameras/cam1/whep", "v=0")).status, 406);
  fakes.failWhep(new CameraUnavailableError("gone"));
  assert.equal((await sdp(t, "/api/v1/cameras/cam1/whep", "v=0")).status, 503);
  assert.equal((await sdp(t, "/api/v1/cameras/none/whep", "v=0")).status, 404);
  assert.equal((await t.call("DELETE", "/api/v1/cameras/cam1/whep/77", { as: "viewer" })).status, 204);
  assert.equal((await t.call("DELETE", "/api/v1/cameras/cam1/whep/78", { as: "viewer" })).status, 404);
});

Deno.test("HLS and recordings: served to viewers, runs by time, a VOD playlist of the range", async () => {
  const { t } = await appWithCamera();
  const live = await t.call("GET", "/api/v1/cameras/cam1/hls/live.m3u8", { as: "viewer" });
  assert.equal(live.status, 200);
  assert.equal(live.headers.get("content-type"), "application/vnd.apple.mpegurl");
  await live.body?.cancel();
  assert.equal((await t.call("GET", "/api/v1/cameras/cam1/hls/live.m3u8")).status, 401);
  assert.equal((await t.call("GET", "/api/v1/cameras/cam1/hls/nope.ts", { as: "viewer" })).status, 404);
  const range = `from=${new Date(T0 - 60_000).toISOString()}&to=${new Date(T0 + 120_000).toISOString()}`;
  const runs = await (await t.call("GET", `/api/v1/cameras/cam1/recordings?${range}`, { as: "viewer" }))
    .json();
  assert.deepEqual(runs.items, [
    { start: new Date(T0).toISOString(), end: new Date(T0 + 4000).toISOString(), seconds: 4 },
    { start: new Date(T0 + 60_000).toISOString(), end: new Date(T0 + 62_000).toISOString(), seconds: 2 },
  ]);
  const playlist = await t.call("GET", `/api/v1/cameras/cam1/recordings/playlist.m3u8?${range}`, {
    as: "viewer",
  });
  const text = await playlist.text();
  assert.equal(playlist.status, 200);
  assert.equal(text.match(/\.\.\/hls\/\d+-\d+\.ts/g)?.length, 3);
  assert.match(text, /#EXT-X-ENDLIST/);
  const empty = `from=${new Date(T0 + 10_000).toISOString()}&to=${new Date(T0 + 20_000).toISOString()}`;
  assert.equal(
    (await t.call("GET", `/api/v1/cameras/cam1/recordings/playlist.m3u8?${empty}`, { as: "viewer" })).status,
    404,
  );
  assert.equal(
    (await t.call("GET", "/api/v1/cameras/cam1/recordings?from=yesterday", { as: "viewer" })).status,
    400,
  );
});

Deno.test("DELETE /cameras/{id}: camera.removed and the device decommissioned", async () => {
  const { t } = await appWithCamera();
  assert.equal((await t.call("DELETE", "/api/v1/cameras/cam1", { as: "viewer" })).status, 403);
  assert.equal((await t.call("DELETE", "/api/v1/cameras/cam1", { as: "operator" })).status, 204);
  assert.deepEqual(t.appended.slice(-2).map((e) => e.type), ["camera.removed", "device.decommissioned"]);
  assert.equal((await t.call("GET", "/api/v1/cameras/cam1", { as: "viewer" })).status, 404);
  assert.equal((await t.call("DELETE", "/api/v1/cameras/cam1", { as: "operator" })).status, 404);
});
