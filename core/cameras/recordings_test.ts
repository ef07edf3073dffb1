import assert from "node:assert/strict";
import { parsePlaylist, type RecordedSegment, recordingRuns, vodPlaylist } from "./recordings.ts";

const T0 = Date.parse("2026-11-30T14:41:04.541Z");

Deno.test("parsePlaylist() reads durations and program date-times as ffmpeg 5.1 writes them", () => {
  const text = [
    "#EXTM3U",
    "#EXT-X-VERSION:6",
    "#EXT-X-TARGETDURATION:4",
    "#EXT-X-MEDIA-SEQUENCE:0",
    "#EXT-X-INDEPENDENT-SEGMENTS",
    "#EXTINF:3.960000,",
    "#EXT-X-PROGRAM-DATE-TIME:2026-11-30T14:41:04.541+0000",
    "1796049664.ts",
    "#EXTINF:2.000000,",
    "#EXT-X-PROGRAM-DATE-TIME:2026-11-30T14:41:08.501+0000",
    "1796049667.ts",
  ].join("\n");
  assert.deepEqual(parsePlaylist(text), [
    { uri: "1796049664.ts", duration: 3.96, programDateTime: T0 },
    { uri: "1796049667.ts", duration: 2, programDateTime: T0 + 3960 },
  ]);
});

const seg = (i: number, startMs: number, duration = 2): RecordedSegment => ({
  name: `r-${i}.ts`,
  start: T0 + startMs,
  duration,
});
// two runs: 0-6 s, then 20-24 s
const segments = [seg(0, 0), seg(1, 2000), seg(2, 4000), seg(3, 20_000), seg(4, 22_000)];

Deno.test("recordingRuns() joins adjacent segments and splits at gaps, clipped to the range", () => {
  assert.deepEqual(recordingRuns(segments, T0 - 60_000, T0 + 60_000), [
    { start: T0, end: T0 + 6000, seconds: 6 },
    { start: T0 + 20_000, end: T0 + 24_000, seconds: 4 },
  ]);
  assert.deepEqual(recordingRuns(segments, T0 + 3000, T0 + 21_000), [
    { start: T0 + 3000, end: T0 + 6000, seconds: 3 },
    { start: T0 + 20_000, end: T0 + 21_000, seconds: 1 },
  ]);
  assert.deepEqual(recordingRuns(segments, T0 + 7000, T0 + 19_000), []);
});

Deno.test("vodPlaylist() lists the segments with date-times, a discontinuity between runs, and an end", () => {
  const text = vodPlaylist(segments.slice(1, 4), "../hls/");
  assert.match(text, /#EXT-X-PLAYLIST-TYPE:VOD/);
  assert.match(text, /#EXT-X-ENDLIST\n$/);
  assert.equal(text.match(/#EXT-X-PROGRAM-DATE-TIME:/g)?.length, 3);
  assert.equal(text.match(/#EXT-X-DISCONTINUITY/g)?.length, 1);
  assert.ok(text.indexOf("../hls/r-2.ts") < text.indexOf("#EXT-X-DISCONTINUITY"));
  assert.ok(text.indexOf("#EXT-X-DISCONTINUITY") < text.indexOf("../hls/r-3.ts"));
});
