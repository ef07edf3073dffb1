/**
 * Plays a camera's recorded video from a moment: the VOD playlist of the recordings in
 * [from, to], positioned at `from` by the segments' program date-times, with the wall-clock time
 * of the frame shown (so an alert at 10:32:05 can be found in the picture).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { recordingsPlaylistUrl } from "../camera_api.ts";
import { type HlsPlayback, playHls } from "../camera_hls.ts";
import { detectSupport, hlsEngine } from "../camera_playback.ts";
import type { TimeWindow } from "../camera_timeline.ts";

export function CameraRecordingPlayer(
  { cameraId, range, onPlayhead }: { cameraId: string; range: TimeWindow; onPlayhead?(t: number): void },
) {
  const ref = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<string>();
  const [at, setAt] = useState<number>();

  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    setError(undefined);
    setAt(undefined);
    const engine = hlsEngine(detectSupport(video));
    if (!engine) return setError("This browser plays no HLS");
    const playback: HlsPlayback = playHls(
      video,
      recordingsPlaylistUrl(cameraId, range.from, range.to),
      { engine, live: false, startAt: range.from, onFatal: setError },
    );
    const tick = setInterval(() => {
      const t = playback.playingAt();
      if (t === undefined) return;
      setAt(t);
      onPlayhead?.(t);
    }, 500);
    return () => {
      clearInterval(tick);
      playback.destroy();
    };
  }, [cameraId, range.from, range.to]);

  return (
    <div class="recording-player">
      <video
        ref={ref}
        data-recording={cameraId}
        data-from={new Date(range.from).toISOString()}
        aria-label="Recorded video"
        muted
        autoplay
        controls
        playsInline
      />
      <p class="muted" aria-live="off">
        {error ? <span class="error" role="alert">Cannot play the recording: {error}</span> : at
          ? (
            <>
              Playing <time dateTime={new Date(at).toISOString()}>{new Date(at).toLocaleString()}</time>
            </>
          )
          : `From ${new Date(range.from).toLocaleString()}`}
      </p>
    </div>
  );
}
