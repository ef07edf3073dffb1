/**
 * What the relay's ffmpeg tells on stderr, read as facts: the video stream it found (codec and
 * size, from the `Stream #0:0: Video: …` line) and why it failed, in words an operator acts on.
 * Pure, so the lines ffmpeg 5.1 really prints are tested here.
 */

/** The video of the source, as ffmpeg describes its input. */
export interface VideoInfo {
  codec: string;
  width?: number;
  height?: number;
}

/** The input's video stream, when `line` describes it (only input streams: `Stream #0:…`). */
export function parseVideoLine(line: string): VideoInfo | undefined {
  const match = /^\s*Stream #0:\d+[^:]*: Video: ([A-Za-z0-9_]+)(.*)$/.exec(line);
  if (!match) return undefined;
  const size = / (\d{2,5})x(\d{2,5})[ ,\[]/.exec(`${match[2]!} `);
  return {
    codec: match[1]!,
    ...(size ? { width: Number(size[1]), height: Number(size[2]) } : {}),
  };
}

/** The reasons a relay fails, each matched by what ffmpeg prints for it. */
const FAILURES: [RegExp, string][] = [
  [/401 Unauthorized|authorization failed/i, "wrong credentials (401)"],
  [/403 Forbidden/i, "access refused by the camera (403)"],
  [/404 Not Found|Stream not found/i, "no such stream on the camera (404)"],
  [
    /Failed to resolve hostname|Name or service not known|nodename nor servname/i,
    "unreachable host (name does not resolve)",
  ],
  [/Connection refused/i, "unreachable host (connection refused)"],
  [/No route to host|Network is unreachable|Host is unreachable/i, "unreachable host (no route)"],
  [/Connection timed out|Operation timed out|timed out/i, "unreachable host (timed out)"],
  [/Connection reset by peer|End of file|Broken pipe/i, "the camera closed the connection"],
  [/Invalid data found when processing input/i, "not an RTSP stream (invalid data)"],
  [
    /does not contain any stream|Output file #0 does not contain any stream|matches no streams/i,
    "no video in the stream",
  ],
  [/Input\/output error/i, "no stream from the source (input/output error)"],
];

/** URLs in ffmpeg's words may carry credentials or a stream key: never repeated. */
const withoutUrls = (text: string) => text.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, "<source>");

/** Why the relay failed, judged from its last stderr lines (the most specific match wins). */
export function failureReason(lines: readonly string[], exitCode: number | null): string {
  for (const [pattern, reason] of FAILURES) {
    if (lines.some((line) => pattern.test(line))) return reason;
  }
  // ffmpeg ends a source that closed (camera killed, stream ended) like a file: exit code 0.
  if (exitCode === 0) return "the camera ended the stream";
  const last = lines.findLast((line) => line.trim() !== "");
  return last === undefined
    ? `relay exited (code ${exitCode ?? "signal"})`
    : `relay exited: ${withoutUrls(last.trim().replace(/^\[[^\]]*\]\s*/, "")).slice(0, 200)}`;
}
