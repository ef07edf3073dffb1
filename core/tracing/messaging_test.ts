import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { batchTraceContext } from "./messaging.ts";

const tp = (trace: string, span: string, flags = "01") =>
  `00-${trace.repeat(32)}-${span.repeat(16)}-${flags}`;

Deno.test("batchTraceContext() continues the one message's trace and links to it", () => {
  const context = batchTraceContext([tp("a", "1")]);
  assertEquals(context.parent?.traceId, "a".repeat(32));
  assertEquals(context.parent?.spanId, "1".repeat(16));
  assertEquals(context.links.map((l) => l.context.spanId), ["1".repeat(16)]);
});

Deno.test("batchTraceContext() continues a trace all messages share, linking each creation context once", () => {
  const context = batchTraceContext([tp("a", "1"), tp("a", "2"), tp("a", "1")]);
  assertEquals(context.parent?.spanId, "1".repeat(16));
  assertEquals(context.links.map((l) => l.context.spanId), ["1".repeat(16), "2".repeat(16)]);
});

Deno.test("batchTraceContext() starts a new trace for messages of several traces, linked to all", () => {
  const context = batchTraceContext([tp("a", "1"), tp("b", "2")]);
  assertEquals(context.parent, undefined);
  assertEquals(context.links.map((l) => l.context.traceId), ["a".repeat(32), "b".repeat(32)]);
});

Deno.test("batchTraceContext() starts a new trace when a message has no (valid) traceparent", () => {
  assertEquals(batchTraceContext([tp("a", "1"), undefined]).parent, undefined);
  assertEquals(batchTraceContext([tp("a", "1"), "garbage"]).links.length, 1);
  assertEquals(batchTraceContext([]), { links: [] });
  assertEquals(batchTraceContext([undefined]), { links: [] });
});

Deno.test("batchTraceContext() links only sampled contexts, at most maxLinks", () => {
  const unsampled = batchTraceContext([tp("a", "1", "00")]);
  // Still the parent: the parent-based sampler then follows its "not sampled" decision.
  assertEquals(unsampled.parent?.traceFlags, 0);
  assertEquals(unsampled.links, []);
  const many = batchTraceContext(["1", "2", "3", "4", "5"].map((s, i) => tp(String(i + 1), s)), 3);
  assertEquals(many.links.length, 3);
});
