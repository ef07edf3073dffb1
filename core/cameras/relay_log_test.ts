import assert from "node:assert/strict";
import { failureReason, parseVideoLine } from "./relay_log.ts";

Deno.test("parseVideoLine() reads codec and size of the input's video stream as ffmpeg 5.1 prints it", () => {
  assert.deepEqual(
    parseVideoLine(
      "  Stream #0:0: Video: h264 (Constrained Baseline), yuv420p(tv, bt709, progressive), 1280x720 [SAR 1:1 DAR 16:9], 25 fps, 25 tbr, 90k tbn",
    ),
    { codec: "h264", width: 1280, height: 720 },
  );
  assert.deepEqual(
    parseVideoLine(
      "  Stream #0:0: Video: hevc (Rext), yuv444p12le(tv, smpte170m), 320x240 [SAR 1:1 DAR 4:3], 25 fps",
    ),
    { codec: "hevc", width: 320, height: 240 },
  );
  assert.equal(
    parseVideoLine("  Stream #1:0: Video: h264, yuv420p, 1280x720"),
    undefined,
    "an output stream",
  );
  assert.equal(parseVideoLine("  Stream #0:1: Audio: aac, 48000 Hz"), undefined);
});

Deno.test("failureReason() names the failures ffmpeg 5.1 reports for bad camera sources", () => {
  const cases: [string[], string][] = [
    [[
      "[rtsp @ 0x563261be69c0] method DESCRIBE failed: 401 Unauthorized",
      "rtsp://127.0.0.1:18555/a: Server returned 401 Unauthorized (authorization failed)",
    ], "wrong credentials (401)"],
    [[
      "[tcp @ 0x55e213037840] Connection to tcp://127.0.0.1:1?timeout=3000000 failed: Connection refused",
      "rtsp://127.0.0.1:1/x: Connection refused",
    ], "unreachable host (connection refused)"],
    [[
      "[tcp @ 0x55fff2c2c840] Failed to resolve hostname nonexistent.invalid: Name or service not known",
      "rtsp://nonexistent.invalid/x: Input/output error",
    ], "unreachable host (name does not resolve)"],
    [
      ["rtsp://127.0.0.1:18088/janus: Invalid data found when processing input"],
      "not an RTSP stream (invalid data)",
    ],
  ];
  for (const [lines, reason] of cases) assert.equal(failureReason(lines, 1), reason);
  assert.equal(failureReason(["[x @ 0x1] something odd"], 1), "relay exited: something odd");
  assert.equal(
    failureReason(["rtsp://admin:secret@cam/x: Protocol not found"], 1),
    "relay exited: <source> Protocol not found",
    "never the URL: it may carry credentials or a stream key",
  );
  assert.equal(
    failureReason(["rtmp://127.0.0.1:11935/live/KEY: Input/output error"], 1),
    "no stream from the source (input/output error)",
  );
  assert.equal(failureReason([], null), "relay exited (code signal)");
  assert.equal(
    failureReason([
      "video:3852kB audio:0kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: unknown",
    ], 0),
    "the camera ended the stream",
  );
});
