import assert from "node:assert/strict";
import { context, type ContextManager, ROOT_CONTEXT, trace, TraceFlags } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { TracerProvider } from "@opentelemetry/sdk-trace";
import { createLogger, type LoggerOptions } from "./logger.ts";

const T0 = Date.parse("2026-11-30T12:00:00.000Z");

function capture(options: LoggerOptions = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    format: "json",
    now: () => T0,
    activeSpan: () => undefined,
    write: (l) => lines.push(l),
    ...options,
  });
  return { logger, lines, json: () => lines.map((line) => JSON.parse(line)) };
}

Deno.test("createLogger() writes one JSON object per line with time, level, msg, component and fields", () => {
  const { logger, lines, json } = capture();
  logger.child("mqtt").child("gateway", { port: 1883 }).info("listening", { devices: 3 });
  assert.equal(lines.length, 1);
  assert.deepEqual(json()[0], {
    time: "2026-11-30T12:00:00.000Z",
    level: "info",
    msg: "listening",
    component: "mqtt.gateway",
    port: 1883,
    devices: 3,
  });
});

Deno.test("createLogger() drops lines below its level", () => {
  const { logger, json } = capture({ level: "warn" });
  logger.debug("d");
  logger.info("i");
  logger.warn("w");
  logger.error("e");
  assert.deepEqual(json().map((l) => l.level), ["warn", "error"]);
  const verbose = capture({ level: "debug" });
  verbose.logger.debug("d");
  assert.equal(verbose.json()[0].level, "debug");
});

Deno.test("createLogger() writes errors as message and cause chain, not a stack", () => {
  const { logger, lines, json } = capture();
  const root = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
  logger.error("cannot append", { error: new TypeError("append failed", { cause: root }) });
  assert.deepEqual(json()[0].error, {
    name: "TypeError",
    message: "append failed",
    cause: { name: "Error", message: "connect ECONNREFUSED 127.0.0.1:5432", code: "ECONNREFUSED" },
  });
  assert.ok(!lines[0]!.includes("    at "), "no stack trace");
});

Deno.test("createLogger() in text format writes one readable line", () => {
  const { logger, lines } = capture({ format: "text" });
  logger.child("notify").warn("webhook failed", {
    endpoint: "wh-1",
    reason: "status 500",
    error: new Error("outer", { cause: new Error("inner") }),
  });
  assert.equal(
    lines[0],
    '2026-11-30T12:00:00.000Z WARN  [notify] webhook failed endpoint=wh-1 reason="status 500" error="outer ← inner"',
  );
});

Deno.test("createLogger() adds the trace and span ids of the active span", () => {
  const { logger, json } = capture({
    activeSpan: () => ({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331" }),
  });
  logger.info("in a span");
  assert.equal(json()[0].traceId, "0af7651916cd43dd8448eb211c80319c");
  assert.equal(json()[0].spanId, "b7ad6b7169203331");
});

/** The smallest synchronous context manager: enough for `context.with` in a test. */
function stackContextManager(): ContextManager {
  let active = ROOT_CONTEXT;
  const manager: ContextManager = {
    active: () => active,
    with(ctx, fn, thisArg, ...args) {
      const previous = active;
      active = ctx;
      try {
        return fn.call(thisArg, ...args);
      } finally {
        active = previous;
      }
    },
    bind: (_ctx, target) => target,
    enable: () => manager,
    disable: () => manager,
  };
  return manager;
}

Deno.test("createLogger() reads the active span from @opentelemetry/api, and only a valid one", () => {
  const lines: string[] = [];
  const logger = createLogger({ format: "json", write: (l) => lines.push(l) });
  assert.ok(context.setGlobalContextManager(stackContextManager()));
  try {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const spanId = "00f067aa0ba902b7";
    const span = trace.wrapSpanContext({ traceId, spanId, traceFlags: TraceFlags.SAMPLED });
    context.with(trace.setSpan(context.active(), span), () => logger.info("inside"));
    const invalid = trace.wrapSpanContext({ traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 0 });
    context.with(trace.setSpan(context.active(), invalid), () => logger.info("invalid span"));
    logger.info("outside");
  } finally {
    context.disable();
  }
  const [inside, invalid, outside] = lines.map((line) => JSON.parse(line));
  assert.equal(inside.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
  assert.equal(inside.spanId, "00f067aa0ba902b7");
  assert.equal(invalid.traceId, undefined);
  assert.equal(outside.traceId, undefined);
});

Deno.test("createLogger() carries the trace id of an SDK span across awaits (as infra/otel registers it)", async () => {
  const lines: string[] = [];
  const logger = createLogger({ format: "json", write: (l) => lines.push(l) });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const tracer = new TracerProvider().getTracer("logger-test");
  let expected: { traceId: string; spanId: string } | undefined;
  try {
    await tracer.startActiveSpan("handle batch", async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.child("processor").warn("after an await");
      expected = span.spanContext();
      span.end();
    });
    logger.info("after the span");
  } finally {
    context.disable();
  }
  const [inside, after] = lines.map((line) => JSON.parse(line));
  assert.equal(inside.traceId, expected!.traceId);
  assert.equal(inside.spanId, expected!.spanId);
  assert.match(inside.traceId, /^[0-9a-f]{32}$/);
  assert.equal(after.traceId, undefined);
});

Deno.test("createLogger() redacts secret fields, URL passwords and known secret values", () => {
  const { logger, lines, json } = capture({ secrets: ["Adm1n-pa55word"] });
  logger.warn("cannot connect to postgres://aiot:hunter2-db@db:5432/aiot", {
    password: "p4ss-w0rd-1",
    headers: { authorization: "Bearer abcdef123456", accept: "*/*" },
    detail: "login with Adm1n-pa55word failed",
    encoded: btoa("Adm1n-pa55word"),
    error: new Error("mongodb://root:m0ng0-secret@mongo:27017 unreachable"),
  });
  const line = lines[0]!;
  for (const secret of ["hunter2-db", "p4ss-w0rd-1", "abcdef123456", "Adm1n-pa55word", "m0ng0-secret"]) {
    assert.ok(!line.includes(secret), `${secret} in ${line}`);
  }
  assert.ok(!line.includes(btoa("Adm1n-pa55word")));
  const entry = json()[0];
  assert.equal(entry.msg, "cannot connect to postgres://aiot:[redacted]@db:5432/aiot");
  assert.equal(entry.headers.accept, "*/*");
  assert.equal(entry.password, "[redacted]");
});

Deno.test("createLogger() keeps writing a line when a field cannot be serialized", () => {
  const { logger, json } = capture();
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  logger.info("odd field", { cyclic, big: 10n });
  assert.equal(json()[0].msg, "odd field");
});
