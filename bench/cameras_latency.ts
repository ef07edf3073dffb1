/**
 * Glass-to-glass latency of a camera over WebRTC, measured in Chromium on this machine: a push
 * camera (ffmpeg) burns its capture time into every frame as 40 black/white boxes (the epoch
 * milliseconds, mod 2^40, from `-use_wallclock_as_timestamps`), encodes H.264 (x264 ultrafast,
 * zerolatency) and publishes RTMP to nginx-rtmp; AIOT's relay copies it to Janus; Chromium plays it
 * through AIOT's WHEP endpoint and, for each frame it presents (`requestVideoFrameCallback`), reads
 * the boxes back from a canvas: latency = presentation wall clock − burned-in capture time. Same
 * machine, same clock. Includes encode, RTMP, relay, Janus, network stack, jitter buffer, decode.
 */
import { chromium } from "playwright-core";
import { eventually } from "../core/testing/eventually.ts";
import { startInProcess } from "../infra/all_in_one/in_process.ts";

const BITS = 40;

/** ffmpeg filters drawing the frame's wall-clock ms as BITS boxes along the top (box k = bit k). */
function timestampFilter(): string {
  const boxes = Array.from(
    { length: BITS },
    (_, k) =>
      `drawbox=x=${
        k * 32 + 4
      }:y=4:w=24:h=24:color=white:t=fill:enable='mod(floor(t*1000/pow(2\\,${k}))\\,2)'`,
  );
  return ["drawbox=x=0:y=0:w=1280:h=32:color=black:t=fill", ...boxes, "setpts=PTS-STARTPTS"].join(",");
}

export interface LatencyResult {
  samples: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
}

export async function measureCameraLatency(
  options: { seconds: number; progress: (line: string) => void },
): Promise<LatencyResult> {
  const janusUrl = Deno.env.get("AIOT_TEST_JANUS_URL");
  const rtmp = Deno.env.get("AIOT_TEST_RTMP_URL");
  if (!janusUrl || !rtmp) {
    throw new Error("needs Janus and nginx-rtmp: bash infra/local/engines.sh start janus rtmp");
  }
  const h = await startInProcess({
    env: {
      AIOT_ROLES: "readmodels,api,cameras",
      AIOT_JANUS_URL: janusUrl,
      AIOT_JANUS_SECRET: Deno.env.get("AIOT_TEST_JANUS_SECRET") ?? "",
      AIOT_CAMERA_RTMP_URL: rtmp,
      AIOT_CAMERA_MOUNTPOINT_PREFIX: `lat${Date.now().toString(36)}`,
    },
  });
  let publisher: Deno.ChildProcess | undefined;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"],
  });
  try {
    const created = await (await fetch(`${h.base}/api/v1/cameras`, {
      method: "POST",
      headers: h.headers,
      body: JSON.stringify({ id: "clock", source: { kind: "push" }, record: false }),
    })).json();
    publisher = new Deno.Command("ffmpeg", {
      args: [
        // `realtime` paces the source (not -re, which would wait on the wall-clock timestamps).
        ...["-nostdin", "-loglevel", "error", "-f", "lavfi", "-use_wallclock_as_timestamps", "1"],
        ...["-i", "testsrc=size=1280x720:rate=25,realtime", "-copyts", "-vf", timestampFilter()],
        ...[
          "-c:v",
          "libx264",
          "-preset",
          "ultrafast",
          "-tune",
          "zerolatency",
          "-g",
          "25",
          "-pix_fmt",
          "yuv420p",
        ],
        ...["-f", "flv", created.push.url],
      ],
      stdin: "null",
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    await eventually("the clock camera online", async () => {
      const got = await (await fetch(`${h.base}/api/v1/cameras/clock`, { headers: h.headers })).json();
      return got.status === "online";
    }, { timeoutMs: 90_000, intervalMs: 250 });
    const page = await browser.newPage();
    await page.setContent(
      "<video id=v autoplay muted playsinline></video><canvas id=c width=1280 height=32></canvas>",
    );
    // Browser code as text: this file is type-checked without the DOM library.
    const offer = await page.evaluate(`(async () => {
      const pc = new RTCPeerConnection();
      globalThis.pc = pc;
      pc.addTransceiver("video", { direction: "recvonly" });
      pc.ontrack = (e) => {
        document.getElementById("v").srcObject = e.streams[0] ?? new MediaStream([e.track]);
      };
      await pc.setLocalDescription(await pc.createOffer());
      return pc.localDescription.sdp;
    })()`) as string;
    const whep = await fetch(`${h.base}/api/v1/cameras/clock/whep`, {
      method: "POST",
      headers: { authorization: h.headers.authorization!, "content-type": "application/sdp" },
      body: offer,
    });
    if (whep.status !== 201) throw new Error(`WHEP answered ${whep.status}: ${await whep.text()}`);
    const answer = await whep.text();
    options.progress(`cameras latency: playing over WebRTC; sampling ${options.seconds} s`);
    const latencies = await page.evaluate(`(async () => {
      const [sdp, seconds, bits] = ${JSON.stringify([answer, options.seconds, BITS])};
      await globalThis.pc.setRemoteDescription({ type: "answer", sdp });
      const video = document.getElementById("v");
      const context = document.getElementById("c").getContext("2d", { willReadFrequently: true });
      const out = [];
      const started = Date.now();
      await new Promise((resolve) => {
        setTimeout(resolve, seconds * 1000 + 15000); // frames never came: give up with what we have
        const onFrame = () => {
          const shownAt = Date.now();
          context.drawImage(video, 0, 0, 1280, 32, 0, 0, 1280, 32);
          const row = context.getImageData(0, 16, 1280, 1).data;
          let value = 0;
          for (let k = bits - 1; k >= 0; k--) value = value * 2 + (row[(k * 32 + 16) * 4] > 128 ? 1 : 0);
          const latency = (shownAt % 2 ** bits) - value;
          if (latency > -1000 && latency < 10000) out.push(latency);
          if (Date.now() - started > seconds * 1000 + 5000 || out.length >= seconds * 25) resolve();
          else video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
      });
      return out.length ? out : "no frame: " + JSON.stringify({
        ice: globalThis.pc.iceConnectionState,
        ready: video.readyState,
        time: video.currentTime,
        frames: video.getVideoPlaybackQuality().totalVideoFrames,
        width: video.videoWidth,
      });
    })()`) as number[] | string;
    if (typeof latencies === "string") throw new Error(latencies);
    if (latencies.length === 0) throw new Error("no frame could be read");
    const sorted = latencies.toSorted((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return {
      samples: sorted.length,
      medianMs: at(0.5),
      p95Ms: at(0.95),
      minMs: sorted[0]!,
      maxMs: sorted.at(-1)!,
    };
  } finally {
    await browser.close();
    if (publisher) {
      try {
        publisher.kill("SIGKILL");
      } catch {
        // it ended by itself
      }
      await publisher.status;
    }
    await h.close();
  }
}
