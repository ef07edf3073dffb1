/**
 * One camera's relay: a single ffmpeg that pulls the source once and copies its video (`-c copy`,
 * no transcoding) to every RTP port of the camera's Janus mountpoint (WebRTC) and into HLS
 * segments (live playlist, recordings). One RTSP session per camera: many cameras serve only one
 * or two clients. Its stderr tells the input's video and why it fails; `-progress` on stdout
 * tells frames advancing. Both become facts for the pure decider (core/cameras/stream_state.ts).
 */
import { failureReason, parseVideoLine, type StreamFact } from "../../core/cameras/mod.ts";
import type { MountpointPort } from "./mountpoints.ts";

export interface RelaySpec {
  ffmpeg: string;
  /** The source with its credentials. */
  input: string;
  /** The camera's HLS directory (exists). */
  dir: string;
  /** Janus RTP targets (none without WebRTC). */
  rtp: { host: string; ports: readonly MountpointPort[] };
  /** Keep segments (recordings); else ffmpeg deletes those that left the live playlist. */
  record: boolean;
}

export interface RunningRelay {
  pid: number;
  /** Resolves when the process has exited (after its exit fact was delivered). */
  exited: Promise<void>;
  stop(): Promise<void>;
}

/** Lines of stderr kept to explain a failure. */
const KEPT_LINES = 30;

export function relayArgs(spec: RelaySpec, runId: string): string[] {
  // RTSP over TCP (no UDP ports to open); a stalled socket fails in 5 s, as does an RTMP stream nobody publishes.
  const rtsp = /^rtsps?:/.test(spec.input)
    ? ["-rtsp_transport", "tcp", "-timeout", "5000000"]
    : /^rtmps?:/.test(spec.input)
    ? ["-rw_timeout", "5000000"]
    : [];
  return [
    "-hide_banner",
    "-nostdin",
    "-nostats",
    "-loglevel",
    "info",
    "-progress",
    "pipe:1",
    ...rtsp,
    "-i",
    spec.input,
    // SPS/PPS before every key frame (h264_mp4toannexb): RTMP/FLV sources carry them only once,
    // out of band, and a WebRTC viewer joining later could never decode (RTSP sources pass as they are).
    ...spec.rtp.ports.flatMap((p) => [
      "-map",
      "0:v:0",
      "-c",
      "copy",
      "-bsf:v",
      "h264_mp4toannexb",
      "-f",
      "rtp",
      "-payload_type",
      String(p.pt),
      `rtp://${spec.rtp.host}:${p.port}?pkt_size=1200`,
    ]),
    "-map",
    "0:v:0",
    "-c",
    "copy",
    "-f",
    "hls",
    "-hls_time",
    "2",
    "-hls_list_size",
    "10",
    "-hls_flags",
    `program_date_time+independent_segments+temp_file${spec.record ? "" : "+delete_segments"}`,
    "-strftime",
    "1",
    "-hls_segment_filename",
    `${spec.dir}/${runId}-%s.ts`,
    `${spec.dir}/live.m3u8`,
  ];
}

async function eachLine(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split(/\r?\n|\r/);
    rest = parts.pop() ?? "";
    for (const line of parts) onLine(line);
  }
  if (rest) onLine(rest);
}

/** Starts the relay; `onFact` gets its video, progress and exit, in order. */
export function startRelay(
  spec: RelaySpec,
  onFact: (fact: StreamFact) => void,
  now: () => number = Date.now,
): RunningRelay {
  const runId = String(now());
  const child = new Deno.Command(spec.ffmpeg, {
    args: relayArgs(spec, runId),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  let sawVideo = false;
  let frames = 0;
  const stderr = eachLine(child.stderr, (line) => {
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.shift();
    if (!sawVideo) {
      const video = parseVideoLine(line);
      if (video) {
        sawVideo = true;
        onFact({ type: "video", at: now(), video });
      }
    }
  });
  const stdout = eachLine(child.stdout, (line) => {
    const match = /^frame=(\d+)/.exec(line);
    if (match && Number(match[1]) > frames) {
      frames = Number(match[1]);
      onFact({ type: "progress", at: now() });
    }
  });
  let stopping = false;
  const exited = (async () => {
    const status = await child.status;
    await Promise.allSettled([stderr, stdout]);
    onFact({
      type: "exited",
      at: now(),
      reason: stopping ? "stopped" : failureReason(lines, status.code),
    });
  })();
  return {
    pid: child.pid,
    exited,
    async stop() {
      stopping = true;
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      const killed = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // gone meanwhile
        }
      }, 3000);
      await exited;
      clearTimeout(killed);
    },
  };
}
