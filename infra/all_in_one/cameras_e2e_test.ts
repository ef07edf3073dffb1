// deno-lint-ignore-file no-explicit-any -- API answers are JSON checked field by field
/**
 * Cameras end to end, with real parts only: RTSP test cameras (GStreamer's RTSP server, H.264 and
 * H.265), the all-in-one in process with its `cameras` role running ffmpeg relays, and Janus
 * 1.1.2 (engines.sh) answering WHEP through the offer bridge. The WHEP offer is a real one
 * recorded from Chromium (core/cameras/_sdp_fixtures.ts); the browser playing it is the UI's
 * Chromium test. Waits are bounded (`eventually`); nothing is timed.
 */
import assert from "node:assert/strict";
import { CHROMIUM_OFFER } from "../../core/cameras/_sdp_fixtures.ts";
import type { DomainEvent } from "../../core/events/catalog.ts";
import { readEvents } from "../../core/log/read_events.ts";
import { eventually } from "../../core/testing/eventually.ts";
import { startTestCamera } from "../cameras/_rtsp_test_camera.ts";
import { createJanusClient, listMountpoints, STREAMING_PLUGIN } from "../cameras/mod.ts";
import { type InProcessPlatform, startInProcess } from "./in_process.ts";

const JANUS_URL = Deno.env.get("AIOT_TEST_JANUS_URL");
const JANUS_SECRET = Deno.env.get("AIOT_TEST_JANUS_SECRET") ?? "";
const WAIT = { timeoutMs: 45_000, intervalMs: 200 };

function requireJanus(): string {
  if (!JANUS_URL) {
    throw new Error("AIOT_TEST_JANUS_URL is not set: run `bash infra/local/engines.sh start janus`");
  }
  return JANUS_URL;
}

const janusMountpoints = async () => {
  const handle = await createJanusClient({ url: requireJanus(), secret: JANUS_SECRET }).attach(
    STREAMING_PLUGIN,
  );
  try {
    return await listMountpoints(handle);
  } finally {
    await handle.destroy();
  }
};

async function cameraEvents(h: InProcessPlatform, id: string): Promise<DomainEvent[]> {
  const out: DomainEvent[] = [];
  for await (
    const chunk of readEvents(h.platform.log, h.platform.topics.device, {
      fromMs: 0,
      toMs: Date.now() + 60_000,
      key: id,
    })
  ) {
    out.push(...chunk.filter((e) => e.type.startsWith("camera.stream.")));
  }
  return out;
}

function api(h: InProcessPlatform) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${h.base}/api/v1${path}`, {
      method,
      headers: { ...h.headers, ...headers },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const type = response.headers.get("content-type") ?? "";
    const payload = type.includes("json") ? await response.json() : await response.text();
    return { status: response.status, headers: response.headers, body: payload as any };
  };
}

async function ffprobe(url: string, token: string): Promise<{ duration: number; codec: string }> {
  const out = await new Deno.Command("ffprobe", {
    args: [
      "-v",
      "error",
      "-headers",
      `Authorization: Bearer ${token}\r\n`,
      "-show_entries",
      "format=duration:stream=codec_name",
      "-of",
      "json",
      url,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`ffprobe failed: ${new TextDecoder().decode(out.stderr)}`);
  const json = JSON.parse(text);
  return { duration: Number(json.format?.duration), codec: json.streams?.[0]?.codec_name };
}

Deno.test("cameras: an RTSP camera goes online, plays over WHEP and HLS, records, and goes offline with a reason", async (t) => {
  requireJanus();
  const camera = await startTestCamera({ mounts: ["cam1"], auth: "viewer:s3cret" });
  const prefix = `t${crypto.randomUUID().slice(0, 8)}`;
  const h = await startInProcess({
    env: {
      AIOT_JANUS_URL: JANUS_URL!,
      AIOT_JANUS_SECRET: JANUS_SECRET,
      AIOT_CAMERA_ALLOW_PRIVATE: "1",
      AIOT_CAMERA_MOUNTPOINT_PREFIX: prefix,
    },
  });
  const call = api(h);
  const token = h.headers.authorization!.slice("Bearer ".length);
  let pids: number[] = [];
  try {
    await t.step("POST /cameras registers a camera device; the credentials never come back", async () => {
      const created = await call("POST", "/cameras", {
        id: "cam1",
        name: "Gate",
        labels: { site: "north" },
        source: { kind: "rtsp", url: camera.url("cam1", "viewer:s3cret") },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.source.url, camera.url("cam1"));
      assert.ok(!JSON.stringify(created.body).includes("s3cret"));
      const device = await call("GET", "/devices/cam1");
      assert.equal(device.body.kind, "camera");
      const listed = await call("GET", "/cameras?label=site:north");
      assert.deepEqual(listed.body.items.map((c: any) => c.id), ["cam1"]);
      assert.ok(!JSON.stringify(listed.body).includes("s3cret"));
    });

    await t.step("the relay comes up: camera.stream.online with the codec, status online", async () => {
      const online = await eventually("cam1 online", async () => {
        const got = await call("GET", "/cameras/cam1");
        return got.body.status === "online" && got.body;
      }, WAIT);
      assert.equal(online.codec, "h264");
      assert.equal(online.width, 640);
      const events = await cameraEvents(h, "cam1");
      assert.deepEqual(events.map((e) => e.type), ["camera.stream.online"]);
      assert.deepEqual(events[0]!.data, { source: "rtsp", codec: "h264", width: 640, height: 360 });
      pids = h.platform.cameraSupervisor!.relays().flatMap((r) => (r.pid ? [r.pid] : []));
      assert.equal(pids.length, 1);
      assert.ok((await janusMountpoints()).includes(`${prefix}-cam1`));
    });

    await t.step(
      "WHEP: a Chromium offer gets Janus' answer with a video m-line and its candidates",
      async () => {
        const answered = await call("POST", "/cameras/cam1/whep", CHROMIUM_OFFER, {
          "content-type": "application/sdp",
        });
        assert.equal(answered.status, 201, String(answered.body));
        assert.equal(answered.headers.get("content-type"), "application/sdp");
        assert.match(answered.body, /^m=video 9 UDP\/TLS\/RTP\/SAVPF 102\r$/m);
        assert.match(answered.body, /^a=candidate:.* typ host\r$/m);
        assert.match(answered.body, /^a=ice-lite\r$/m);
        const location = answered.headers.get("location")!;
        assert.match(location, /^\/api\/v1\/cameras\/cam1\/whep\/\d+$/);
        const ended = await fetch(`${h.base}${location}`, { method: "DELETE", headers: h.headers });
        assert.equal(ended.status, 204);
        await ended.body?.cancel();
        const vp8Only = CHROMIUM_OFFER.replaceAll("H264/90000", "X264/90000");
        const refused = await call("POST", "/cameras/cam1/whep", vp8Only, {
          "content-type": "application/sdp",
        });
        assert.equal(refused.status, 406);
        const notSdp = await call("POST", "/cameras/cam1/whep", CHROMIUM_OFFER, {
          "content-type": "text/plain",
        });
        assert.equal(notSdp.status, 415);
      },
    );

    await t.step("live HLS: the playlist grows and its segments have bytes", async () => {
      // The first segment is written a segment's length (2-4 s) after the first frames.
      const first = await eventually("the live playlist", async () => {
        const got = await call("GET", "/cameras/cam1/hls/live.m3u8");
        return got.status === 200 && got;
      }, WAIT);
      const segmentsOf = (text: string) => text.split("\n").filter((l) => l.endsWith(".ts"));
      const firstSegments = segmentsOf(first.body);
      assert.ok(firstSegments.length > 0);
      const segment = await fetch(`${h.base}/api/v1/cameras/cam1/hls/${firstSegments[0]}`, {
        headers: h.headers,
      });
      assert.equal(segment.status, 200);
      assert.ok((await segment.arrayBuffer()).byteLength > 0);
      await eventually("a new live segment", async () => {
        const now = segmentsOf((await call("GET", "/cameras/cam1/hls/live.m3u8")).body);
        return now.at(-1) !== firstSegments.at(-1);
      }, WAIT);
      const anonymous = await fetch(`${h.base}/api/v1/cameras/cam1/hls/live.m3u8`);
      assert.equal(anonymous.status, 401);
      await anonymous.body?.cancel();
    });

    await t.step("recordings are listed by time and their VOD playlist plays (ffprobe)", async () => {
      const runs = await eventually("a recorded run", async () => {
        const got = await call("GET", "/cameras/cam1/recordings");
        return got.body.items.length > 0 && got.body.items[0].seconds >= 2 && got.body.items;
      }, WAIT);
      const from = runs[0].start;
      const playlist = await call(
        "GET",
        `/cameras/cam1/recordings/playlist.m3u8?from=${encodeURIComponent(from)}`,
      );
      assert.equal(playlist.status, 200);
      assert.match(playlist.body, /#EXT-X-ENDLIST/);
      assert.match(playlist.body, /#EXT-X-PROGRAM-DATE-TIME:/);
      const probed = await ffprobe(
        `${h.base}/api/v1/cameras/cam1/recordings/playlist.m3u8?from=${encodeURIComponent(from)}`,
        token,
      );
      assert.equal(probed.codec, "h264");
      assert.ok(probed.duration > 0, `duration ${probed.duration}`);
    });

    await t.step(
      "the camera dies: camera.stream.offline with the reason, status offline; WHEP 503",
      async () => {
        await camera.stop();
        const offline = await eventually("cam1 offline", async () => {
          const got = await call("GET", "/cameras/cam1");
          return got.body.status === "offline" && got.body;
        }, WAIT);
        assert.match(offline.reason, /ended the stream|closed the connection|unreachable host|stalled/);
        const events = await cameraEvents(h, "cam1");
        assert.equal(events.at(-1)!.type, "camera.stream.offline");
        const whep = await call("POST", "/cameras/cam1/whep", CHROMIUM_OFFER, {
          "content-type": "application/sdp",
        });
        assert.equal(whep.status, 503);
      },
    );

    await t.step("DELETE /cameras/{id}: the relay, its mountpoint and its media go", async () => {
      const deleted = await call("DELETE", "/cameras/cam1");
      assert.equal(deleted.status, 204);
      await eventually(
        "mountpoint removed",
        async () => !(await janusMountpoints()).includes(`${prefix}-cam1`),
        WAIT,
      );
      await eventually(
        "media removed",
        () => Deno.stat(`${h.dataDir}/cameras/cam1`).then(() => false, () => true),
        WAIT,
      );
      assert.equal((await call("GET", "/cameras/cam1")).status, 404);
      assert.equal((await call("GET", "/devices/cam1")).body.status, "decommissioned");
    });
  } finally {
    await h.close();
    await camera.stop();
  }
  for (const pid of pids) {
    assert.throws(() => Deno.kill(pid, "SIGCONT"), "the relay process is gone after stop");
  }
});

Deno.test("cameras: bad sources are refused (400) or reported offline with the reason", async (t) => {
  requireJanus();
  const locked = await startTestCamera({ mounts: ["cam"], auth: "viewer:right" });
  const hevc = await startTestCamera({ codec: "h265", size: "320x240", fps: 10 });
  const h = await startInProcess({
    env: {
      AIOT_JANUS_URL: JANUS_URL!,
      AIOT_JANUS_SECRET: JANUS_SECRET,
      AIOT_CAMERA_ALLOW_PRIVATE: "1",
      AIOT_CAMERA_MOUNTPOINT_PREFIX: `t${crypto.randomUUID().slice(0, 8)}`,
    },
  });
  const call = api(h);
  try {
    await t.step("URLs that are not rtsp:// are a 400 naming source.url", async () => {
      for (const url of ["file:///etc/passwd", "http://127.0.0.1/x", "rtsp://"]) {
        const refused = await call("POST", "/cameras", { source: { kind: "rtsp", url } });
        assert.equal(refused.status, 400, url);
        assert.equal(refused.body.error.details[0].path, "source.url");
      }
    });

    const offlineReason = async (id: string) =>
      await eventually(`${id} offline`, async () => {
        const got = await call("GET", `/cameras/${id}`);
        return got.body.status === "offline" && got.body.reason;
      }, WAIT);

    await t.step(
      "wrong credentials, a stream that is not RTSP, an unsupported codec, a closed port",
      async () => {
        const cases: [string, string, RegExp][] = [
          ["wrong-creds", locked.url("cam", "viewer:wrong"), /wrong credentials \(401\)/],
          ["not-rtsp", `rtsp://${new URL(h.base).host}/api/v1/healthz`, /not an RTSP stream/],
          ["hevc", hevc.url(), /unsupported codec hevc/],
          ["closed-port", "rtsp://127.0.0.1:9/none", /unreachable host/],
        ];
        for (const [id, url] of cases) {
          const created = await call("POST", "/cameras", { id, source: { kind: "rtsp", url } });
          assert.equal(created.status, 201, `${id}: ${JSON.stringify(created.body)}`);
        }
        for (const [id, , reason] of cases) {
          assert.match(await offlineReason(id), reason, id);
          const events = await cameraEvents(h, id);
          assert.equal(events[0]?.type, "camera.stream.offline", id);
          assert.match((events[0]!.data as { reason: string }).reason, reason);
        }
      },
    );
  } finally {
    await h.close();
    await Promise.all([locked.stop(), hevc.stop()]);
  }
});

Deno.test("cameras: at start the supervisor ends what an earlier run left: its relay, its mountpoint, its media", async () => {
  requireJanus();
  const prefix = `t${crypto.randomUUID().slice(0, 8)}`;
  const dataDir = await Deno.makeTempDir({ prefix: "aiot-cameras-restart-" });
  const ghostDir = `${dataDir}/cameras/ghost`;
  await Deno.mkdir(ghostDir, { recursive: true });
  // A relay of a camera that no longer exists, still running after a crash (a real ffmpeg writing its HLS).
  const stray = new Deno.Command("ffmpeg", {
    args: [
      "-nostdin",
      "-loglevel",
      "error",
      "-re",
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=160x120:rate=5",
      "-c:v",
      "libx264",
      "-f",
      "hls",
      `${ghostDir}/live.m3u8`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  await Deno.writeTextFile(`${ghostDir}/relay.pid`, `${stray.pid}\n`);
  const janus = createJanusClient({ url: requireJanus(), secret: JANUS_SECRET });
  const handle = await janus.attach(STREAMING_PLUGIN);
  const { createMountpoint } = await import("../cameras/mod.ts");
  await createMountpoint(handle, {
    id: `${prefix}-ghost`,
    description: "left behind",
    streams: [{ mid: "v102", pt: 102 }],
    adminKey: JANUS_SECRET,
  });
  await handle.destroy();
  assert.ok((await janusMountpoints()).includes(`${prefix}-ghost`));

  const h = await startInProcess({
    env: {
      AIOT_DATA_DIR: dataDir,
      AIOT_JANUS_URL: JANUS_URL!,
      AIOT_JANUS_SECRET: JANUS_SECRET,
      AIOT_CAMERA_MOUNTPOINT_PREFIX: prefix,
    },
  });
  try {
    const status = await stray.status; // resolves once the supervisor killed it
    assert.equal(status.signal, "SIGKILL");
    assert.ok(!(await janusMountpoints()).includes(`${prefix}-ghost`));
    await assert.rejects(Deno.stat(ghostDir), Deno.errors.NotFound);
  } finally {
    try {
      stray.kill("SIGKILL");
    } catch {
      // killed by the supervisor, as expected
    }
    await h.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("cameras: a push camera publishes to nginx-rtmp with its stream key and goes online", async () => {
  requireJanus();
  const rtmp = Deno.env.get("AIOT_TEST_RTMP_URL");
  if (!rtmp) throw new Error("AIOT_TEST_RTMP_URL is not set: run `bash infra/local/engines.sh start rtmp`");
  const h = await startInProcess({
    env: {
      AIOT_JANUS_URL: JANUS_URL!,
      AIOT_JANUS_SECRET: JANUS_SECRET,
      AIOT_CAMERA_MOUNTPOINT_PREFIX: `t${crypto.randomUUID().slice(0, 8)}`,
      AIOT_CAMERA_RTMP_URL: rtmp,
    },
  });
  const call = api(h);
  let publisher: Deno.ChildProcess | undefined;
  try {
    const created = await call("POST", "/cameras", { id: "door", source: { kind: "push" } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { url, secret } = created.body.push;
    assert.equal(url, `${rtmp}/${secret}`);
    assert.match(
      await eventually("door offline", async () => {
        const got = await call("GET", "/cameras/door");
        return got.body.status === "offline" && got.body.reason;
      }, WAIT),
      /not publishing/,
    );
    // A camera publishing H.264 over RTMP (ffmpeg's test source).
    publisher = new Deno.Command("ffmpeg", {
      args: [
        "-nostdin",
        "-loglevel",
        "error",
        "-re",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=640x360:rate=25",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-tune",
        "zerolatency",
        "-g",
        "50",
        "-pix_fmt",
        "yuv420p",
        "-f",
        "flv",
        url,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const online = await eventually("door online", async () => {
      const got = await call("GET", "/cameras/door");
      return got.body.status === "online" && got.body;
    }, { timeoutMs: 90_000, intervalMs: 250 });
    assert.equal(online.codec, "h264");
    assert.deepEqual((await cameraEvents(h, "door")).map((e) => e.type), [
      "camera.stream.offline",
      "camera.stream.online",
    ]);
    const answered = await call("POST", "/cameras/door/whep", CHROMIUM_OFFER, {
      "content-type": "application/sdp",
    });
    assert.equal(answered.status, 201, String(answered.body));
    await fetch(`${h.base}${answered.headers.get("location")}`, { method: "DELETE", headers: h.headers })
      .then((r) => r.body?.cancel());
    publisher.kill("SIGKILL");
    await publisher.status;
    publisher = undefined;
    const offline = await eventually("door offline again", async () => {
      const got = await call("GET", "/cameras/door");
      return got.body.status === "offline" && got.body.reason;
    }, WAIT);
    assert.match(offline, /ended the stream|not publishing/);
    assert.ok(!JSON.stringify((await cameraEvents(h, "door")).map((e) => e.data)).includes(secret));
  } finally {
    if (publisher) {
      publisher.kill("SIGKILL");
      await publisher.status;
    }
    await h.close();
  }
});
