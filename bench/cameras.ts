/**
 * `deno task bench cameras`: N cameras (one 720p25 H.264 RTSP test source, its encoder shared by N
 * mounts, so the source costs one encode) relayed at once by the all-in-one's `cameras` role, each
 * by one ffmpeg with `-c copy` (no transcoding). Two runs: HLS only (no Janus configured), then
 * HLS + RTP to Janus (the WebRTC relay), measuring for a while once all are online: CPU (% of one
 * core) and peak RSS per relay process, Janus' and the AIOT process' own. No WebRTC viewer is
 * attached (a browser decoding N 720p streams would swamp the 2 cores): Janus' cost per viewer is
 * not in these numbers. Glass-to-glass latency is the browser's to measure (see the UI bench).
 */
import { eventually } from "../core/testing/eventually.ts";
import { startTestCamera } from "../infra/cameras/_rtsp_test_camera.ts";
import { startInProcess } from "../infra/all_in_one/in_process.ts";
import { type Tracked, watchProcesses } from "./proc_stats.ts";

export interface CameraBenchRow {
  mode: string;
  cameras: number;
  online: number;
  relayCpuPercentPerCamera: number;
  relayRssMiBPerCamera: number;
  janusCpuPercent: number | undefined;
  janusRssMiB: number | undefined;
  aiotCpuPercent: number;
  aiotRssMiB: number;
  sourceCpuPercent: number;
}

function janusPid(): number | undefined {
  const run = `${
    Deno.env.get("AIOT_CACHE_DIR") ?? `${Deno.env.get("HOME")}/.cache/aiot`
  }/run/janus/janus.pid`;
  try {
    return Number(Deno.readTextFileSync(run).trim()) || undefined;
  } catch {
    return undefined;
  }
}

export async function measureCameras(
  options: { cameras: number; seconds: number; progress: (line: string) => void },
): Promise<CameraBenchRow[]> {
  const janusUrl = Deno.env.get("AIOT_TEST_JANUS_URL");
  const mounts = Array.from({ length: options.cameras }, (_, i) => `cam${i + 1}`);
  const source = await startTestCamera({ size: "1280x720", fps: 25, mounts });
  const rows: CameraBenchRow[] = [];
  try {
    for (const webrtc of janusUrl ? [false, true] : [false]) {
      const mode = webrtc ? "HLS + WebRTC relay (RTP to Janus)" : "HLS only";
      const h = await startInProcess({
        env: {
          AIOT_ROLES: "readmodels,api,cameras",
          AIOT_CAMERA_ALLOW_PRIVATE: "1",
          AIOT_CAMERA_MOUNTPOINT_PREFIX: `bench${Date.now().toString(36)}`,
          ...(webrtc
            ? { AIOT_JANUS_URL: janusUrl!, AIOT_JANUS_SECRET: Deno.env.get("AIOT_TEST_JANUS_SECRET") ?? "" }
            : {}),
        },
      });
      try {
        for (const mount of mounts) {
          const created = await fetch(`${h.base}/api/v1/cameras`, {
            method: "POST",
            headers: h.headers,
            body: JSON.stringify({
              id: mount,
              source: { kind: "rtsp", url: source.url(mount) },
              record: true,
            }),
          });
          if (created.status !== 201) throw new Error(`cannot create ${mount}: ${await created.text()}`);
          await created.body?.cancel();
        }
        const status = async () => {
          const list = await (await fetch(`${h.base}/api/v1/cameras`, { headers: h.headers })).json();
          return (list.items as { status: string }[]).filter((c) => c.status === "online").length;
        };
        await eventually(
          `${options.cameras} cameras online`,
          async () => (await status()) === options.cameras,
          {
            timeoutMs: 90_000,
            intervalMs: 500,
          },
        );
        options.progress(`cameras: ${mode}: ${options.cameras} online; measuring ${options.seconds} s`);
        await new Promise((r) => setTimeout(r, 3000)); // past the relays' start-up
        const relays = h.platform.cameraSupervisor!.relays().flatMap((r) => r.pid ? [r.pid] : []);
        const janus = webrtc ? janusPid() : undefined;
        const tracked: Tracked[] = [
          ...relays.map((pid, i) => ({ label: `relay ${i}`, pid, own: true })),
          { label: "aiot", pid: Deno.pid },
          { label: "source", pid: source.pid },
          ...(janus ? [{ label: "janus", pid: janus }] : []),
        ];
        const watch = watchProcesses(tracked);
        await new Promise((r) => setTimeout(r, options.seconds * 1000));
        const usage = watch.stop();
        const of = (label: string) => usage.find((u) => u.label === label);
        const relayUsage = usage.filter((u) => u.label.startsWith("relay "));
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
        const round = (n: number | undefined) => n === undefined ? undefined : Math.round(n * 10) / 10;
        rows.push({
          mode,
          cameras: options.cameras,
          online: await status(),
          relayCpuPercentPerCamera: round(mean(relayUsage.map((u) => u.cpuPercent)))!,
          relayRssMiBPerCamera: round(mean(relayUsage.map((u) => u.peakMiB)))!,
          janusCpuPercent: round(of("janus")?.cpuPercent),
          janusRssMiB: round(of("janus")?.peakMiB),
          aiotCpuPercent: round(of("aiot")!.cpuPercent)!,
          aiotRssMiB: round(of("aiot")!.peakMiB)!,
          sourceCpuPercent: round(of("source")!.cpuPercent)!,
        });
      } finally {
        await h.close();
      }
    }
  } finally {
    await source.stop();
  }
  return rows;
}
