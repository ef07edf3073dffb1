/**
 * Recordings are the HLS segments a relay writes, kept for the camera's retention. The camera
 * supervisor indexes each segment once (its file name, wall-clock start from ffmpeg's
 * `#EXT-X-PROGRAM-DATE-TIME`, and duration); from that index this file answers the API: the
 * continuous runs of a time range, and a VOD playlist of the segments in it. Pure.
 */

/** One indexed segment. */
export interface RecordedSegment {
  /** The file name, e.g. `1796049600123-1796049664.ts`. */
  name: string;
  /** Wall-clock start, epoch ms. */
  start: number;
  /** Seconds. */
  duration: number;
}

/** A continuous stretch of recording. */
export interface RecordingRun {
  start: number;
  end: number;
  seconds: number;
}

/** Segments further apart than this start a new run (and a discontinuity in a playlist). */
export const GAP_TOLERANCE_MS = 1500;

/** One entry of a media playlist. */
export interface PlaylistEntry {
  uri: string;
  duration: number;
  programDateTime?: number;
}

/** The segments of an HLS media playlist with their duration and program date-time. */
export function parsePlaylist(text: string): PlaylistEntry[] {
  const out: PlaylistEntry[] = [];
  let duration: number | undefined;
  let pdt: number | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("#EXTINF:")) duration = Number.parseFloat(line.slice(8));
    else if (line.startsWith("#EXT-X-PROGRAM-DATE-TIME:")) {
      // ffmpeg writes `+0000`; Date.parse wants `+00:00`.
      const at = Date.parse(line.slice(25).replace(/([+-]\d\d)(\d\d)$/, "$1:$2"));
      pdt = Number.isNaN(at) ? undefined : at;
    } else if (line !== "" && !line.startsWith("#")) {
      if (duration !== undefined && Number.isFinite(duration)) {
        out.push({ uri: line, duration, ...(pdt === undefined ? {} : { programDateTime: pdt }) });
      }
      duration = undefined;
      pdt = undefined;
    }
  }
  return out;
}

const endOf = (s: RecordedSegment) => s.start + s.duration * 1000;

/** Segments overlapping [from, to), oldest first. */
export function segmentsIn(
  segments: readonly RecordedSegment[],
  from: number,
  to: number,
): RecordedSegment[] {
  return segments.filter((s) => endOf(s) > from && s.start < to).toSorted((a, b) => a.start - b.start);
}

/** The continuous runs of the segments overlapping [from, to), oldest first (clipped to it). */
export function recordingRuns(
  segments: readonly RecordedSegment[],
  from: number,
  to: number,
): RecordingRun[] {
  const runs: { start: number; end: number }[] = [];
  for (const s of segmentsIn(segments, from, to)) {
    const last = runs.at(-1);
    if (last && s.start - last.end <= GAP_TOLERANCE_MS) last.end = Math.max(last.end, endOf(s));
    else runs.push({ start: s.start, end: endOf(s) });
  }
  return runs.map((r) => {
    const start = Math.max(r.start, from);
    const end = Math.min(r.end, to);
    return { start, end, seconds: Math.round((end - start) / 100) / 10 };
  });
}

/**
 * A VOD playlist of `segments` (oldest first), each URI `uriPrefix + name`, with its program
 * date-time, and a discontinuity where a run ends (a new relay restarts timestamps).
 */
export function vodPlaylist(segments: readonly RecordedSegment[], uriPrefix: string): string {
  const target = Math.max(1, ...segments.map((s) => Math.ceil(s.duration)));
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:6",
    "#EXT-X-PLAYLIST-TYPE:VOD",
    `#EXT-X-TARGETDURATION:${target}`,
    "#EXT-X-MEDIA-SEQUENCE:0",
    "#EXT-X-INDEPENDENT-SEGMENTS",
  ];
  let previousEnd: number | undefined;
  for (const s of segments) {
    if (previousEnd !== undefined && Math.abs(s.start - previousEnd) > GAP_TOLERANCE_MS) {
      lines.push("#EXT-X-DISCONTINUITY");
    }
    lines.push(
      `#EXT-X-PROGRAM-DATE-TIME:${new Date(s.start).toISOString()}`,
      `#EXTINF:${s.duration.toFixed(3)},`,
      `${uriPrefix}${s.name}`,
    );
    previousEnd = endOf(s);
  }
  lines.push("#EXT-X-ENDLIST");
  return `${lines.join("\n")}\n`;
}
