/**
 * How a camera's live video reaches the page: WebRTC through the WHEP endpoint first (sub-second
 * latency), HLS when WebRTC is missing or fails (UDP blocked, a proxy in the way, no frames),
 * played by hls.js over Media Source Extensions or by the browser itself where it plays HLS
 * natively and has no MSE (iOS Safari). An offline camera (WHEP 503) is not a reason to try HLS:
 * it has no live video at all.
 */
import { ApiError } from "./api_client.ts";

export type LiveTransport = "webrtc" | "hls";
/** What the viewer asked for: the best that works, or one transport only. */
export type TransportChoice = "auto" | LiveTransport;
export type HlsEngine = "hls.js" | "native";

export interface BrowserSupport {
  webrtc: boolean;
  /** Media Source Extensions, which hls.js needs. */
  mse: boolean;
  /** The video element plays `application/vnd.apple.mpegurl` itself. */
  nativeHls: boolean;
}

/** What this browser can do (the page's globals; a test passes its own `BrowserSupport`). */
export function detectSupport(video?: HTMLVideoElement): BrowserSupport {
  const g = globalThis as {
    RTCPeerConnection?: unknown;
    MediaSource?: { isTypeSupported(t: string): boolean };
  };
  return {
    webrtc: typeof g.RTCPeerConnection === "function",
    mse: g.MediaSource?.isTypeSupported('video/mp4; codecs="avc1.42E01E"') ?? false,
    nativeHls: (video?.canPlayType("application/vnd.apple.mpegurl") ?? "") !== "",
  };
}

/**
 * The HLS player to use: hls.js wherever MSE is there (it behaves the same in every browser and
 * follows the live edge closely), the browser's own player otherwise, none when neither works.
 */
export function hlsEngine(support: BrowserSupport): HlsEngine | undefined {
  if (support.mse) return "hls.js";
  if (support.nativeHls) return "native";
  return undefined;
}

/** The transports to try, in order, for `choice` in a browser with `support`. */
export function transportsToTry(choice: TransportChoice, support: BrowserSupport): LiveTransport[] {
  const webrtc = support.webrtc ? ["webrtc" as const] : [];
  const hls = hlsEngine(support) ? ["hls" as const] : [];
  if (choice === "webrtc") return webrtc;
  if (choice === "hls") return hls;
  return [...webrtc, ...hls];
}

/**
 * What a failed attempt means: `offline` (the camera has no video: say so, try nothing else),
 * `denied` (the session cannot watch: nothing else will work either), or `next` (this transport
 * failed here: the next one may work).
 */
export function afterFailure(error: unknown): "offline" | "denied" | "next" {
  if (error instanceof ApiError) {
    if (error.status === 503) return "offline";
    if (error.status === 401 || error.status === 403) return "denied";
  }
  return "next";
}

/**
 * How long a connected transport may go without a decoded frame before it counts as failed: a
 * WebRTC session whose packets never arrive (UDP filtered) stays "connecting" for a long time.
 */
export const FIRST_FRAME_TIMEOUT_MS = 10_000;

/** Whether an attempt started at `startedAt` has waited too long for its first frame. */
export function firstFrameOverdue(startedAt: number, now: number, framesDecoded: number): boolean {
  return framesDecoded === 0 && now - startedAt > FIRST_FRAME_TIMEOUT_MS;
}

/** Why a failed attempt failed, in words for the tile. */
export function failureText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return String(error);
}
