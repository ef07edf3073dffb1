/**
 * The sequence of a live view: try each transport in turn (WebRTC, then HLS), count one as working
 * only once a frame is decoded, watch it while it plays (a transport that stops decoding frames has
 * failed even when its connection looks fine) and say why it ended. The transports themselves are
 * arguments (`start`), the frame counter too, so the sequence is tested without a browser.
 */
import type { LiveTransport } from "./camera_playback.ts";
import { afterFailure, failureText, FIRST_FRAME_TIMEOUT_MS } from "./camera_playback.ts";

/** One transport's attempt, as its starter returns it. */
export interface LiveAttempt {
  /** Settles with the reason when the transport fails by itself (connection failed, fatal error). */
  ended: Promise<string>;
  close(): void;
}

export type LiveState =
  | { state: "connecting"; transport: LiveTransport }
  | { state: "playing"; transport: LiveTransport }
  | { state: "offline"; message: string }
  | { state: "failed"; message: string };

export interface LiveOptions {
  transports: readonly LiveTransport[];
  start(transport: LiveTransport): Promise<LiveAttempt>;
  /** Frames decoded so far by the video element (`getVideoPlaybackQuality().totalVideoFrames`). */
  frames(): number;
  onState(state: LiveState): void;
  signal: AbortSignal;
  /** How often frames are counted. */
  pollMs?: number;
  /** How long without a new frame counts as a stall once playing. */
  stallMs?: number;
  firstFrameMs?: number;
}

/**
 * Plays until the signal aborts or every transport failed; the last state says why it stopped
 * (`offline`, `failed`). A caller that wants to keep trying calls it again after a pause.
 */
export async function playLive(options: LiveOptions): Promise<void> {
  const { signal } = options;
  let lastError = "This browser plays neither WebRTC nor HLS";
  for (const transport of options.transports) {
    if (signal.aborted) return;
    options.onState({ state: "connecting", transport });
    // The watchers of this attempt stop with it, not only when the whole view closes.
    const watch = new AbortController();
    const stopWatching = () => watch.abort();
    signal.addEventListener("abort", stopWatching, { once: true });
    let attempt: LiveAttempt | undefined;
    try {
      attempt = await options.start(transport);
      if (signal.aborted) return attempt.close();
      const failed = attempt.ended.then((reason) => Promise.reject(new Error(reason)));
      failed.catch(() => {});
      const firstFrameMs = options.firstFrameMs ?? FIRST_FRAME_TIMEOUT_MS;
      await Promise.race([failed, framesAdvance(options, watch.signal, firstFrameMs)]);
      if (signal.aborted) return attempt.close();
      options.onState({ state: "playing", transport });
      const reason = await Promise.race([attempt.ended, stalled(options, watch.signal), aborted(signal)]);
      attempt.close();
      if (!signal.aborted) options.onState({ state: "failed", message: reason });
      return;
    } catch (error) {
      attempt?.close();
      if (signal.aborted) return;
      const next = afterFailure(error);
      if (next === "offline") return options.onState({ state: "offline", message: failureText(error) });
      lastError = `${transport === "webrtc" ? "WebRTC" : "HLS"}: ${failureText(error)}`;
      if (next === "denied") break;
    } finally {
      watch.abort();
      signal.removeEventListener("abort", stopWatching);
    }
  }
  if (!signal.aborted) options.onState({ state: "failed", message: lastError });
}

/** Resolves when the frame count grows past where it was (or on abort), rejects after `timeoutMs`. */
function framesAdvance(options: LiveOptions, signal: AbortSignal, timeoutMs: number): Promise<void> {
  const from = options.frames();
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (signal.aborted || options.frames() > from) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer);
        reject(new Error(`no video decoded within ${Math.round(timeoutMs / 1000)} s`));
      }
    }, options.pollMs ?? 250);
  });
}

/** Resolves with a reason once no new frame was decoded for `stallMs`; never when aborted. */
function stalled(options: LiveOptions, signal: AbortSignal): Promise<string> {
  const stallMs = options.stallMs ?? 6_000;
  return new Promise((resolve) => {
    let count = options.frames();
    let since = Date.now();
    const timer = setInterval(() => {
      if (signal.aborted) return clearInterval(timer);
      const now = options.frames();
      if (now !== count) {
        count = now;
        since = Date.now();
      } else if (Date.now() - since > stallMs) {
        clearInterval(timer);
        resolve(`no new video for ${Math.round(stallMs / 1000)} s`);
      }
    }, options.pollMs ?? 250);
  });
}

function aborted(signal: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve("closed");
    signal.addEventListener("abort", () => resolve("closed"), { once: true });
  });
}
