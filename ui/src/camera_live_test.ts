import assert from "node:assert/strict";
import { ApiError } from "./api_client.ts";
import { type LiveAttempt, type LiveState, playLive } from "./camera_live.ts";
import type { LiveTransport } from "./camera_playback.ts";

/** A transport that either refuses to start, or starts and decodes frames while `decoding`. */
interface FakeTransport {
  refuse?: unknown;
  decoding?: boolean;
  /** Ends by itself with this reason once it has decoded a few frames. */
  endAfterFrames?: { frames: number; reason: string };
}

/** Generous waits by default: only the test about a timeout makes its own short. */
function harness(
  transports: Partial<Record<LiveTransport, FakeTransport>>,
  waits: { stallMs?: number; firstFrameMs?: number } = {},
) {
  let frames = 0;
  let active: FakeTransport | undefined;
  let endActive: ((reason: string) => void) | undefined;
  const started: LiveTransport[] = [];
  const closed: LiveTransport[] = [];
  const states: LiveState[] = [];
  // The "video element": decodes a frame every 5 ms while the active transport delivers.
  const decoder = setInterval(() => {
    if (!active?.decoding) return;
    frames++;
    if (active.endAfterFrames && frames >= active.endAfterFrames.frames) {
      endActive?.(active.endAfterFrames.reason);
    }
  }, 5);
  const start = (transport: LiveTransport): Promise<LiveAttempt> => {
    started.push(transport);
    const fake = transports[transport] ?? {};
    if (fake.refuse) return Promise.reject(fake.refuse);
    active = fake;
    return Promise.resolve({
      ended: new Promise<string>((resolve) => (endActive = resolve)),
      close: () => {
        closed.push(transport);
        if (active === fake) active = undefined;
      },
    });
  };
  const controller = new AbortController();
  const run = (order: LiveTransport[]) =>
    playLive({
      transports: order,
      start,
      frames: () => frames,
      onState: (s) => states.push(s),
      signal: controller.signal,
      pollMs: 5,
      stallMs: waits.stallMs ?? 10_000,
      firstFrameMs: waits.firstFrameMs ?? 10_000,
    }).finally(() => clearInterval(decoder));
  return {
    run,
    started,
    closed,
    states,
    controller,
    stopDecoding: () => active && (active.decoding = false),
  };
}

const kinds = (states: LiveState[]) =>
  states.map((s) => "transport" in s ? `${s.state}:${s.transport}` : `${s.state}:${s.message}`);

Deno.test("playLive() plays WebRTC when it decodes frames, and stops when the view closes", async () => {
  const h = harness({ webrtc: { decoding: true } });
  const done = h.run(["webrtc", "hls"]);
  while (!h.states.some((s) => s.state === "playing")) await new Promise((r) => setTimeout(r, 5));
  h.controller.abort();
  await done;
  assert.deepEqual(kinds(h.states), ["connecting:webrtc", "playing:webrtc"]);
  assert.deepEqual(h.started, ["webrtc"]);
  assert.deepEqual(h.closed, ["webrtc"]);
});

Deno.test("playLive() falls back to HLS when WebRTC connects but no frame arrives", async () => {
  const h = harness(
    { webrtc: { decoding: false }, hls: { decoding: true, endAfterFrames: { frames: 3, reason: "x" } } },
    { firstFrameMs: 500 },
  );
  await h.run(["webrtc", "hls"]);
  assert.deepEqual(kinds(h.states), ["connecting:webrtc", "connecting:hls", "playing:hls", "failed:x"]);
  assert.deepEqual(h.closed, ["webrtc", "hls"]);
});

Deno.test("playLive() falls back to HLS when the WHEP offer fails", async () => {
  const h = harness({
    webrtc: { refuse: new ApiError(502, "error", "HTTP 502") },
    hls: { decoding: true, endAfterFrames: { frames: 2, reason: "HLS: levelLoadError" } },
  });
  await h.run(["webrtc", "hls"]);
  assert.deepEqual(kinds(h.states), [
    "connecting:webrtc",
    "connecting:hls",
    "playing:hls",
    "failed:HLS: levelLoadError",
  ]);
});

Deno.test("playLive() stops at an offline camera without trying HLS", async () => {
  const h = harness({ webrtc: { refuse: new ApiError(503, "camera_offline", "connection refused") } });
  await h.run(["webrtc", "hls"]);
  assert.deepEqual(kinds(h.states), ["connecting:webrtc", "offline:connection refused"]);
  assert.deepEqual(h.started, ["webrtc"]);
});

Deno.test("playLive() reports a stall of a playing transport as its failure", async () => {
  const h = harness({ webrtc: { decoding: true } }, { stallMs: 60 });
  const done = h.run(["webrtc"]);
  while (!h.states.some((s) => s.state === "playing")) await new Promise((r) => setTimeout(r, 5));
  h.stopDecoding();
  await done;
  assert.deepEqual(kinds(h.states), ["connecting:webrtc", "playing:webrtc", "failed:no new video for 0 s"]);
  assert.deepEqual(h.closed, ["webrtc"]);
});

Deno.test("playLive() names the last failure when nothing works, and fails at once with no transport", async () => {
  const h = harness({
    webrtc: { refuse: new TypeError("ICE failed") },
    hls: { refuse: new Error("no MSE") },
  });
  await h.run(["webrtc", "hls"]);
  assert.deepEqual(kinds(h.states).at(-1), "failed:HLS: no MSE");
  const none = harness({});
  await none.run([]);
  assert.deepEqual(kinds(none.states), ["failed:This browser plays neither WebRTC nor HLS"]);
});
