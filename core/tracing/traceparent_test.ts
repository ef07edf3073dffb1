import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { formatTraceparent, isSampledTraceparent, parseTraceparent } from "./traceparent.ts";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";

Deno.test("parseTraceparent() reads a version 00 traceparent as a remote span context", () => {
  assertEquals(parseTraceparent(`00-${TRACE}-${SPAN}-01`), {
    traceId: TRACE,
    spanId: SPAN,
    traceFlags: 1,
    isRemote: true,
  });
  assertEquals(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.traceFlags, 0);
  // Flags other than "sampled" are not kept: version 00 defines no other bit.
  assertEquals(parseTraceparent(`00-${TRACE}-${SPAN}-03`)?.traceFlags, 1);
});

Deno.test("parseTraceparent() refuses what the W3C specification calls invalid", () => {
  for (
    const bad of [
      undefined,
      "",
      `00-${TRACE}-${SPAN}`,
      `00-${TRACE}-${SPAN}-01-extra`, // version 00 has exactly four fields
      `ff-${TRACE}-${SPAN}-01`,
      `00-${"0".repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${"0".repeat(16)}-01`,
      `00-${TRACE.toUpperCase()}-${SPAN}-01`,
      `00_${TRACE}_${SPAN}_01`,
      `0g-${TRACE}-${SPAN}-01`,
    ]
  ) assertEquals(parseTraceparent(bad), undefined, String(bad));
});

Deno.test("parseTraceparent() reads a later version by its version 00 fields", () => {
  assertEquals(parseTraceparent(`01-${TRACE}-${SPAN}-01-future`)?.spanId, SPAN);
  assertEquals(parseTraceparent(`01-${TRACE}-${SPAN}-01`)?.traceId, TRACE);
  assertEquals(parseTraceparent(`01-${TRACE}-${SPAN}-01future`), undefined);
});

Deno.test("formatTraceparent() writes version 00 and round-trips with parseTraceparent()", () => {
  const text = `00-${TRACE}-${SPAN}-01`;
  assertEquals(formatTraceparent(parseTraceparent(text)!), text);
  assertEquals(formatTraceparent({ traceId: TRACE, spanId: SPAN, traceFlags: 0 }), `00-${TRACE}-${SPAN}-00`);
});

Deno.test("isSampledTraceparent() reads the sampled bit of the flags", () => {
  assertEquals(isSampledTraceparent(`00-${TRACE}-${SPAN}-01`), true);
  assertEquals(isSampledTraceparent(`00-${TRACE}-${SPAN}-0b`), true);
  assertEquals(isSampledTraceparent(`00-${TRACE}-${SPAN}-00`), false);
  assertEquals(isSampledTraceparent(`00-${TRACE}-${SPAN}-0a`), false);
  assertEquals(isSampledTraceparent("01"), false);
});
