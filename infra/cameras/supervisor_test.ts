import assert from "node:assert/strict";
import { eventually } from "../../core/testing/eventually.ts";
import type { CameraRow } from "../../core/readmodels/cameras/mod.ts";
import { camerasFromEnv } from "./camera_config.ts";
import { createHlsStore } from "./hls_store.ts";
import { startCameraSupervisor, type StreamReport } from "./supervisor.ts";

const row = (id: string, url: string): CameraRow => ({
  id,
  labels: {},
  source: { kind: "rtsp", url },
  record: true,
  retentionHours: 1,
  status: "starting",
  since: "2026-11-30T10:00:00.000Z",
  createdAt: "2026-11-30T10:00:00.000Z",
  updatedAt: "2026-11-30T10:00:00.000Z",
});

Deno.test("startCameraSupervisor(): a relay that cannot run is reported offline with why; a removed camera's media goes", async () => {
  const root = await Deno.makeTempDir({ prefix: "aiot-supervisor-" });
  let rows = [row("cam1", "rtsp://cam.example.com/s")];
  const reports: { id: string; report: StreamReport }[] = [];
  const hls = createHlsStore(root);
  const supervisor = startCameraSupervisor({
    listCameras: () => Promise.resolve(rows),
    openCredentials: () => Promise.resolve(undefined),
    report: (id, report) => Promise.resolve(void reports.push({ id, report })),
    hls,
    config: { ...camerasFromEnv({}), ffmpeg: `${root}/no-such-ffmpeg` },
    intervalMs: 20,
    log: () => {},
  });
  try {
    await supervisor.ready;
    const offline = await eventually("cam1 offline", () => reports.find((r) => r.id === "cam1"));
    assert.equal(offline.report.status, "offline");
    assert.match((offline.report as { reason: string }).reason, /^cannot run .*no-such-ffmpeg/);
    assert.ok((await hls.cameraIds()).includes("cam1"));
    rows = [];
    await eventually("cam1's media removed", async () => !(await hls.cameraIds()).includes("cam1"));
    assert.deepEqual(supervisor.relays(), []);
  } finally {
    await supervisor.stop();
    await Deno.remove(root, { recursive: true });
  }
});
