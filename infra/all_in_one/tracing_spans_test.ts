/**
 * The platform's spans, recorded in memory with the SDK this folder registers: the runner's
 * consumer span continues an event's trace and links to it, its outputs carry it on, the HTTP
 * middleware honours an incoming `traceparent`, and the gateway's producer span is the parent
 * of the events it appends. (Against a real Jaeger: infra/otel/jaeger_split_topology_test.ts.)
 */
import assert from "node:assert/strict";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace";
import { Hono } from "hono";
import { createEvent } from "../../core/events/catalog.ts";
import { decodeEvent, toLogMessage } from "../../core/events/codec.ts";
import { runProcessor } from "../../core/processing/runner.ts";
import { alerting, readAll, TOPICS, until } from "../../core/processing/_runner_test_kit.ts";
import { createInMemoryEventLog } from "../../core/testing/in_memory_event_log.ts";
import {
  contextFrom,
  parseTraceparent,
  tracer,
  tracingEnabled,
  withinTraceOf,
} from "../../core/tracing/mod.ts";
import { traceDelivery } from "../../api/live/delivery_span.ts";
import { tracedDownlink } from "../mqtt/downlink_span.ts";
import { tracing as tracingMiddleware } from "../../api/middleware/tracing.ts";
import { createGroupCommitAppender } from "../mqtt/group_commit.ts";
import { createUplinkIntake } from "../mqtt/uplink_intake.ts";
import { startTracing } from "../otel/mod.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";
const INCOMING = `00-${TRACE}-${PARENT}-01`;

async function withSpans(run: (spans: () => Promise<ReadableSpan[]>) => Promise<void>): Promise<void> {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ env: {}, serviceName: "aiot-test", exporter })!;
  try {
    await run(async () => (await tracing.flush(), exporter.getFinishedSpans()));
  } finally {
    await tracing.shutdown();
  }
  assert.equal(tracingEnabled(), false);
}

Deno.test("the runner's batch span continues the event's trace, links to it and passes it on", async () => {
  await withSpans(async (spans) => {
    const log = createInMemoryEventLog();
    await log.ensureTopics(TOPICS);
    const event = createEvent("telemetry.reported", { values: [{ name: "t", value: 1, ts: Date.now() }] }, {
      key: "dev-1",
      source: "ingest",
      traceparent: INCOMING,
    });
    await log.append("aiot.telemetry", [toLogMessage(event)]);
    const running = runProcessor(alerting, { log, lagIntervalMs: 0 });
    await until(async () => (await readAll(log, "aiot.alert")).length === 1);
    await running.stop();

    const batch = (await spans()).find((s) => s.name === "process aiot.telemetry");
    assert.ok(batch, "a process span");
    assert.equal(batch.kind, SpanKind.CONSUMER);
    assert.equal(batch.spanContext().traceId, TRACE);
    assert.equal(batch.parentSpanContext?.spanId, PARENT);
    assert.deepEqual(batch.links.map((l) => l.context.spanId), [PARENT]);
    assert.equal(batch.attributes["messaging.consumer.group.name"], "alerting");
    // The alert it raised was created in that span.
    const [alert] = await readAll(log, "aiot.alert");
    const decoded = decodeEvent(alert!.value);
    assert.ok(decoded.ok);
    assert.equal(parseTraceparent(decoded.event.traceparent)?.spanId, batch.spanContext().spanId);
    assert.equal(alert!.headers["traceparent"], decoded.event.traceparent);
  });
});

Deno.test("the HTTP span continues an incoming traceparent and is named by the route", async () => {
  await withSpans(async (spans) => {
    const app = new Hono();
    app.use(tracingMiddleware());
    app.get("/api/v1/devices/:id", (c) => c.json({ id: c.req.param("id") }));
    const response = await app.request("/api/v1/devices/dev-7", { headers: { traceparent: INCOMING } });
    assert.equal(response.status, 200);
    await app.request("/api/v1/devices/dev-8", { headers: { traceparent: "not-a-traceparent" } });

    const [continued, fresh] = (await spans()).filter((s) => s.kind === SpanKind.SERVER);
    assert.equal(continued?.name, "GET /api/v1/devices/:id");
    assert.equal(continued?.spanContext().traceId, TRACE);
    assert.equal(continued?.parentSpanContext?.spanId, PARENT);
    assert.equal(continued?.attributes["http.response.status_code"], 200);
    // A malformed header starts a new trace instead of failing the request.
    assert.notEqual(fresh?.spanContext().traceId, TRACE);
    assert.equal(fresh?.parentSpanContext, undefined);
  });
});

Deno.test("the gateway's producer span continues the device's traceparent and parents its events", async () => {
  await withSpans(async (spans) => {
    const log = createInMemoryEventLog();
    await log.ensureTopics([{ name: "aiot.telemetry", partitions: 1 }, { name: "aiot.dlq", partitions: 1 }]);
    const intake = createUplinkIntake({
      ingest: (uplink) => ({
        ok: true,
        events: [createEvent("telemetry.reported", { values: [{ name: "t", value: 2, ts: Date.now() }] }, {
          key: uplink.deviceId,
          source: "ingest",
        })],
      }),
      appender: createGroupCommitAppender(log),
      topicPrefix: "aiot.",
      sendNotice: () => {},
    });
    const uplink = {
      deviceId: "dev-1",
      topic: "devices/dev-1/telemetry",
      payload: new Uint8Array(),
      qos: 1 as const,
    };
    await new Promise<void>((resolve, reject) =>
      intake({ ...uplink, traceparent: INCOMING }, (e) => e ? reject(e) : resolve(), reject)
    );

    const all = await spans();
    const ingest = all.find((s) => s.name === "ingest telemetry");
    const append = all.find((s) => s.name === "append aiot.telemetry");
    assert.equal(ingest?.kind, SpanKind.PRODUCER);
    assert.equal(ingest?.parentSpanContext?.spanId, PARENT);
    assert.equal(append?.parentSpanContext?.spanId, ingest?.spanContext().spanId);
    const [record] = await readAll(log, "aiot.telemetry");
    assert.equal(parseTraceparent(record!.headers["traceparent"])?.spanId, ingest?.spanContext().spanId);
  });
});

Deno.test("a downlink published in a traced operation gets a span and its traceparent; outside one, neither", async () => {
  await withSpans(async (spans) => {
    const sent: (string | undefined)[] = [];
    const publish = (traceparent?: string) => (sent.push(traceparent), Promise.resolve());
    await tracedDownlink("devices/dev-1/commands/c-1", publish);
    const parent = tracer().startSpan("batch", {}, contextFrom(INCOMING));
    await context.with(
      trace.setSpan(context.active(), parent),
      () => tracedDownlink("devices/dev-1/commands/c-2", publish),
    );
    parent.end();

    assert.equal(sent[0], undefined, "no trace, no traceparent");
    const downlink = (await spans()).find((s) => s.name === "publish commands/+");
    assert.equal(downlink?.kind, SpanKind.PRODUCER);
    assert.equal(downlink?.parentSpanContext?.spanId, parent.spanContext().spanId);
    assert.equal(parseTraceparent(sent[1])?.spanId, downlink?.spanContext().spanId);
  });
});

Deno.test("an event delivered to SSE clients gets a span under its creation context, if sampled", async () => {
  await withSpans(async (spans) => {
    const record = (traceparent: string) => ({
      topic: "aiot.telemetry",
      partition: 0,
      offset: 0,
      key: "dev-1",
      value: "{}",
      timestamp: Date.now(),
      headers: { "event-type": "telemetry.reported", traceparent },
    });
    traceDelivery(record(INCOMING), 3);
    traceDelivery(record(INCOMING.replace(/-01$/, "-00")), 3);
    const delivered = (await spans()).filter((s) => s.name === "deliver aiot.telemetry");
    assert.equal(delivered.length, 1, "the unsampled event gets none");
    assert.equal(delivered[0]?.parentSpanContext?.spanId, PARENT);
    assert.equal(delivered[0]?.attributes["aiot.sse.clients"], 3);
  });
});

Deno.test("withinTraceOf() moves work into an event's own trace only when the active span is of another", async () => {
  await withSpans(async (spans) => {
    const batch = tracer().startSpan("batch");
    const sent: (string | undefined)[] = [];
    const publish = (traceparent?: string) => (sent.push(traceparent), Promise.resolve());
    await context.with(trace.setSpan(context.active(), batch), async () => {
      await withinTraceOf(INCOMING, () => tracedDownlink("devices/d/commands/c-1", publish));
      await withinTraceOf(undefined, () => tracedDownlink("devices/d/commands/c-2", publish));
    });
    batch.end();
    const [own, ofBatch] = (await spans()).filter((s) => s.name === "publish commands/+");
    assert.equal(own?.spanContext().traceId, TRACE);
    assert.equal(own?.parentSpanContext?.spanId, PARENT);
    assert.equal(ofBatch?.parentSpanContext?.spanId, batch.spanContext().spanId);
  });
});
