/**
 * A camera's live video: WebRTC through the API's WHEP endpoint, HLS when that fails, a muted
 * autoplaying `<video>` (browsers let only muted video start by itself). Each attempt gets a fresh
 * video element, so its frame count starts at zero. A starting camera is not asked for video until
 * its online event; an offline one shows its reason and is tried again when it comes back (its
 * status changes) or after a pause; a failed view retries too.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { liveHlsUrl, whepUrl } from "../camera_api.ts";
import { playHls } from "../camera_hls.ts";
import { type LiveAttempt, type LiveState, playLive } from "../camera_live.ts";
import {
  detectSupport,
  hlsEngine,
  type LiveTransport,
  type TransportChoice,
  transportsToTry,
} from "../camera_playback.ts";
import type { CameraView } from "../camera_model.ts";
import { connectWhep } from "../camera_whep.ts";

const RETRY_MS = 5_000;

export function CameraLiveView(
  { camera, choice = "auto", label }: { camera: CameraView; choice?: TransportChoice; label: string },
) {
  const box = useRef<HTMLDivElement>(null);
  const [live, setLive] = useState<LiveState>();
  const [round, setRound] = useState(0);
  const offline = camera.status === "offline";

  useEffect(() => {
    const container = box.current;
    if (!container) return;
    if (offline) {
      setLive({ state: "offline", message: camera.reason ?? "offline" });
      return;
    }
    // Its relay is coming up (the WHEP endpoint would answer 503): its online event starts the view.
    if (camera.status === "starting") return setLive(undefined);
    const controller = new AbortController();
    let video: HTMLVideoElement | undefined;
    const start = (transport: LiveTransport): Promise<LiveAttempt> => {
      video?.remove();
      video = newVideo(transport, camera.id, label);
      container.prepend(video);
      return transport === "webrtc"
        ? startWebrtc(video, camera.id)
        : Promise.resolve(startHls(video, camera.id));
    };
    let retry: ReturnType<typeof setTimeout> | undefined;
    void playLive({
      transports: transportsToTry(choice, detectSupport(document.createElement("video"))),
      start,
      frames: () => video?.getVideoPlaybackQuality().totalVideoFrames ?? 0,
      onState(state) {
        setLive(state);
        if (video) video.dataset.state = state.state;
      },
      signal: controller.signal,
    }).then(() => {
      if (!controller.signal.aborted) retry = setTimeout(() => setRound((r) => r + 1), RETRY_MS);
    });
    // Leaving the page runs no effect cleanup: end the session now (its DELETE is sent with
    // keepalive) rather than leave the relay to notice the viewer's ICE going quiet.
    const leave = () => controller.abort();
    // Back from the back/forward cache: the view was ended on the way out, start it again.
    const back = (event: PageTransitionEvent) => event.persisted && setRound((r) => r + 1);
    addEventListener("pagehide", leave);
    addEventListener("pageshow", back);
    return () => {
      removeEventListener("pagehide", leave);
      removeEventListener("pageshow", back);
      controller.abort();
      clearTimeout(retry);
      video?.remove();
    };
  }, [camera.id, choice, camera.status, round]);

  const state = live?.state ?? "connecting";
  return (
    <div class={`camera-video ${state}`} ref={box} data-camera={camera.id}>
      <p class="camera-overlay" role="status" data-live-state={state}>
        {live === undefined && camera.status === "starting"
          ? "Starting…"
          : live === undefined || live.state === "connecting"
          ? `Connecting${live ? ` (${live.transport === "webrtc" ? "WebRTC" : "HLS"})` : ""}…`
          : live.state === "playing"
          ? <span class="transport">{live.transport === "webrtc" ? "WebRTC" : "HLS"}</span>
          : live.state === "offline"
          ? `Offline: ${live.message}`
          : `No video: ${live.message}`}
      </p>
    </div>
  );
}

function newVideo(transport: LiveTransport, id: string, label: string): HTMLVideoElement {
  const video = document.createElement("video");
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  video.setAttribute("aria-label", label);
  video.dataset.camera = id;
  video.dataset.transport = transport;
  return video;
}

async function startWebrtc(video: HTMLVideoElement, id: string): Promise<LiveAttempt> {
  let end: (reason: string) => void = () => {};
  const ended = new Promise<string>((resolve) => (end = resolve));
  const session = await connectWhep({
    endpoint: whepUrl(id),
    onStream(stream) {
      video.srcObject = stream;
      void video.play().catch(() => {});
    },
    onState(state) {
      if (state === "failed" || state === "closed") end(`WebRTC connection ${state}`);
    },
  });
  return {
    ended,
    close() {
      void session.close();
      video.srcObject = null;
    },
  };
}

function startHls(video: HTMLVideoElement, id: string): LiveAttempt {
  let end: (reason: string) => void = () => {};
  const ended = new Promise<string>((resolve) => (end = resolve));
  const engine = hlsEngine(detectSupport(video));
  if (!engine) throw new TypeError("This browser plays no HLS");
  const playback = playHls(video, liveHlsUrl(id), { engine, live: true, onFatal: end });
  return { ended, close: () => playback.destroy() };
}
