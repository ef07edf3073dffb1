import assert from "node:assert/strict";
import { ApiError } from "./api_client.ts";
import {
  afterFailure,
  type BrowserSupport,
  FIRST_FRAME_TIMEOUT_MS,
  firstFrameOverdue,
  hlsEngine,
  transportsToTry,
} from "./camera_playback.ts";

const CHROMIUM: BrowserSupport = { webrtc: true, mse: true, nativeHls: true };
const IOS_SAFARI: BrowserSupport = { webrtc: true, mse: false, nativeHls: true };
const NO_WEBRTC: BrowserSupport = { webrtc: false, mse: true, nativeHls: false };
const NOTHING: BrowserSupport = { webrtc: false, mse: false, nativeHls: false };

Deno.test("transportsToTry() tries WebRTC first and falls back to HLS on auto", () => {
  assert.deepEqual(transportsToTry("auto", CHROMIUM), ["webrtc", "hls"]);
  assert.deepEqual(transportsToTry("auto", NO_WEBRTC), ["hls"]);
  assert.deepEqual(transportsToTry("auto", NOTHING), []);
});

Deno.test("transportsToTry() keeps to the one transport chosen, if the browser has it", () => {
  assert.deepEqual(transportsToTry("webrtc", CHROMIUM), ["webrtc"]);
  assert.deepEqual(transportsToTry("hls", CHROMIUM), ["hls"]);
  assert.deepEqual(transportsToTry("webrtc", NO_WEBRTC), []);
  assert.deepEqual(transportsToTry("hls", NOTHING), []);
});

Deno.test("hlsEngine() prefers hls.js over MSE, else the native player", () => {
  assert.equal(hlsEngine(CHROMIUM), "hls.js");
  assert.equal(hlsEngine(IOS_SAFARI), "native");
  assert.equal(hlsEngine(NOTHING), undefined);
});

Deno.test("afterFailure() stops at an offline camera or a refused session, else tries the next", () => {
  assert.equal(afterFailure(new ApiError(503, "camera_offline", "offline")), "offline");
  assert.equal(afterFailure(new ApiError(401, "unauthorized", "no session")), "denied");
  assert.equal(afterFailure(new ApiError(403, "forbidden", "no")), "denied");
  assert.equal(afterFailure(new ApiError(502, "error", "HTTP 502")), "next");
  assert.equal(afterFailure(new ApiError(404, "not_found", "no WHEP here")), "next");
  assert.equal(afterFailure(new TypeError("Failed to fetch")), "next");
  assert.equal(afterFailure(new Error("ICE failed")), "next");
});

Deno.test("firstFrameOverdue() only after the timeout and only with no frame", () => {
  assert.equal(firstFrameOverdue(1000, 1000 + FIRST_FRAME_TIMEOUT_MS, 0), false);
  assert.equal(firstFrameOverdue(1000, 1001 + FIRST_FRAME_TIMEOUT_MS, 0), true);
  assert.equal(firstFrameOverdue(1000, 1001 + FIRST_FRAME_TIMEOUT_MS, 3), false);
});
