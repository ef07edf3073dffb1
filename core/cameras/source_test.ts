import assert from "node:assert/strict";
import { parseRtspSource, sourceWithCredentials } from "./source.ts";

Deno.test("parseRtspSource() keeps the URL without credentials and the credentials apart", () => {
  const parsed = parseRtspSource("rtsp://admin:p%40ss@cam.example.com:8554/stream1?x=1");
  assert.deepEqual(parsed, {
    ok: true,
    url: "rtsp://cam.example.com:8554/stream1?x=1",
    host: "cam.example.com",
    credentials: "admin:p%40ss",
  });
  assert.equal(
    sourceWithCredentials("rtsp://cam.example.com:8554/stream1?x=1", "admin:p%40ss"),
    "rtsp://admin:p%40ss@cam.example.com:8554/stream1?x=1",
  );
});

Deno.test("parseRtspSource() refuses what is not an RTSP URL with a host", () => {
  for (const text of ["file:///etc/passwd", "http://cam/x", "rtsp://", "not a url", "rtsp:/path"]) {
    const parsed = parseRtspSource(text);
    assert.equal(parsed.ok, false, text);
  }
  assert.deepEqual(parseRtspSource("rtsp://[::1]:554/x"), {
    ok: true,
    url: "rtsp://[::1]:554/x",
    host: "::1",
  });
});
