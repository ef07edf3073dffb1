/**
 * Plays an HLS playlist (a camera's live one, or the VOD playlist of its recordings) in a video
 * element: with hls.js's light build (no subtitles, alternate audio or DRM, which cameras do not
 * use) over Media Source Extensions, or with the browser's own HLS player. hls.js runs on the main
 * thread: its worker would start from a `blob:` URL, which the dashboard's CSP does not allow, and
 * a camera's few segments a second cost little to transmux here.
 */
// @ts-types="hls.js"
import Hls from "hls.js/light";
import type { HlsEngine } from "./camera_playback.ts";
import { seekSeconds } from "./camera_timeline.ts";

export interface HlsOptions {
  engine: HlsEngine;
  /** Live: follow the edge. VOD: start at `startAt` (epoch ms), found by the program date-time. */
  live: boolean;
  startAt?: number;
  /** A fatal error (playlist gone, camera offline, decoding failed); the playback is over. */
  onFatal(message: string): void;
}

export interface HlsPlayback {
  /** The wall-clock time of the frame shown (epoch ms), when the playlist dates its segments. */
  playingAt(): number | undefined;
  destroy(): void;
}

export function playHls(video: HTMLVideoElement, url: string, options: HlsOptions): HlsPlayback {
  return options.engine === "hls.js" ? withHlsJs(video, url, options) : native(video, url, options);
}

function withHlsJs(video: HTMLVideoElement, url: string, options: HlsOptions): HlsPlayback {
  const hls = new Hls({
    enableWorker: false,
    // Two segments behind the edge: steady on a loaded machine, a few seconds of latency.
    liveSyncDurationCount: 2,
    // A camera that just came online may not have its first segments yet: retry for a while.
    manifestLoadPolicy: {
      default: {
        maxTimeToFirstByteMs: 10_000,
        maxLoadTimeMs: 20_000,
        timeoutRetry: { maxNumRetry: 2, retryDelayMs: 0, maxRetryDelayMs: 0 },
        errorRetry: { maxNumRetry: 4, retryDelayMs: 1000, maxRetryDelayMs: 4000 },
      },
    },
  });
  let seeked = options.live || options.startAt === undefined;
  hls.on(Hls.Events.LEVEL_LOADED, (_event, data) => {
    if (seeked) return;
    seeked = true;
    const first = data.details.fragments[0]?.programDateTime;
    if (first) video.currentTime = seekSeconds(first, options.startAt!);
  });
  hls.on(Hls.Events.ERROR, (_event, data) => {
    if (!data.fatal) return;
    const status = data.response?.code ? ` (HTTP ${data.response.code})` : "";
    options.onFatal(`HLS: ${data.details}${status}`);
  });
  hls.loadSource(url);
  hls.attachMedia(video);
  void video.play().catch(() => {});
  return {
    playingAt: () => hls.playingDate?.getTime(),
    destroy: () => hls.destroy(),
  };
}

function native(video: HTMLVideoElement, url: string, options: HlsOptions): HlsPlayback {
  const onError = () => options.onFatal(`HLS: ${video.error?.message || "the video cannot be played"}`);
  const onLoaded = () => {
    const start = (video as HTMLVideoElement & { getStartDate?(): Date }).getStartDate?.().getTime();
    if (!options.live && options.startAt !== undefined && start && Number.isFinite(start)) {
      video.currentTime = seekSeconds(start, options.startAt);
    }
  };
  video.addEventListener("error", onError);
  video.addEventListener("loadedmetadata", onLoaded, { once: true });
  video.src = url;
  void video.play().catch(() => {});
  return {
    playingAt() {
      const start = (video as HTMLVideoElement & { getStartDate?(): Date }).getStartDate?.().getTime();
      return start && Number.isFinite(start) ? start + video.currentTime * 1000 : undefined;
    },
    destroy() {
      video.removeEventListener("error", onError);
      video.removeAttribute("src");
      video.load();
    },
  };
}
