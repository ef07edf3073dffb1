/**
 * Traces end to end in a real Jaeger (`engines.sh start jaeger`), in the split-role topology on
 * Kafka: a `gateway` process (the ingest replica of external broker mode, on a Mosquitto of the
 * test's own), a `timeseries,readmodels` projector process and an `api` process, each exporting
 * over OTLP/HTTP. One reading makes ONE trace with spans of all three processes (gateway ingest
 * and log append, both projectors, the SSE delivery); a command makes one trace from the HTTP
 * request through the dispatch to the device (MQTT 5 user property `traceparent`) to its ack,
 * which the device sends with that `traceparent`.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { eventually } from "../../core/testing/eventually.ts";
import { parseTraceparent } from "../../core/tracing/mod.ts";
import { roleProcess } from "../faults/role_process.ts";
import { ADMIN, startMosquitto } from "../mqtt_external/_mosquitto.ts";
import { connectDynsecProvisioner } from "../mqtt_external/dynsec_provisioner.ts";
import { testPostgresUrl } from "../postgres/_test_postgres.ts";
import {
  assertJaegerReachable,
  eventuallyTrace,
  type JaegerSpan,
  OTLP_ENDPOINT,
  traceIdsOf,
} from "./_jaeger.ts";
import { createScratchDatabase } from "../postgres/scratch_database.ts";

const KAFKA = Deno.env.get("AIOT_TEST_KAFKA_BROKERS") ?? "127.0.0.1:19092";
const INGEST = { username: "aiot-ingest", password: "trace-ingest-secret" };
const PASSWORD = "trace-admin-password";

Deno.test({
  name:
    "one reading is one trace in Jaeger across gateway, projectors and API; a command's trace reaches its ack",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await assertJaegerReachable();
    const run = `aiot_trace_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 6)}`;
    const prefix = `${run}.`;
    const closers: (() => Promise<unknown>)[] = [];
    try {
      const scratch = await createScratchDatabase(testPostgresUrl, run);
      closers.push(() => scratch.drop());
      const database = new URL(scratch.url);

      const broker = await startMosquitto();
      closers.push(() => broker.stop());
      const provisioner = await connectDynsecProvisioner(broker.url, ADMIN);
      closers.push(() => provisioner.close());
      await provisioner.ensureRoles({ ingest: INGEST });

      const service = (role: string) => `${run}-${role}`;
      const common = {
        AIOT_KAFKA_BROKERS: KAFKA,
        AIOT_TOPIC_PREFIX: prefix,
        AIOT_PARTITIONS: "2",
        AIOT_POSTGRES_URL: database.href,
        AIOT_ADMIN_PASSWORD: PASSWORD,
        OTEL_EXPORTER_OTLP_ENDPOINT: OTLP_ENDPOINT,
        OTEL_TRACES_SAMPLER: "parentbased_always_on",
        OTEL_BSP_SCHEDULE_DELAY: "200",
      };
      const projectors = await roleProcess("projectors", {
        ...common,
        AIOT_ROLES: "timeseries,readmodels",
        // The projectors on their worker thread, which starts an SDK of its own.
        AIOT_PROJECTION_THREAD: "1",
        OTEL_SERVICE_NAME: service("projectors"),
      });
      const api = await roleProcess("api", {
        ...common,
        AIOT_ROLES: "api",
        OTEL_SERVICE_NAME: service("api"),
      });
      const gateway = await roleProcess("gateway", {
        ...common,
        AIOT_ROLES: "gateway",
        OTEL_SERVICE_NAME: service("gateway"),
        AIOT_MQTT_URL: `mqtt://${INGEST.username}:${INGEST.password}@127.0.0.1:${broker.port}`,
        AIOT_MQTT_CLIENT_ID: `${run}-gw`,
      });
      for (const role of [projectors, api, gateway]) {
        closers.push(async () => {
          await role.stop();
          await Deno.remove(role.dataDir, { recursive: true });
          await Deno.remove(role.logFile).catch(() => {});
        });
        await role.start();
      }

      const login = await fetch(`${api.base}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: PASSWORD }),
      }).then((r) => r.json());
      const headers = { authorization: `Bearer ${login.token}`, "content-type": "application/json" };
      const registered = await fetch(`${api.base}/api/v1/devices`, {
        method: "POST",
        headers,
        body: JSON.stringify({ id: "trace-dev-1" }),
      });
      const { token } = await registered.json();
      assert.equal(registered.status, 201);
      await provisioner.provisionDevice("trace-dev-1", token);

      // The device: MQTT 5, answers each command with an ack carrying the command's traceparent.
      const device = await mqtt.connectAsync(broker.url, {
        protocolVersion: 5,
        clientId: "trace-dev-1",
        username: "trace-dev-1",
        password: token,
      });
      closers.push(() => device.endAsync());
      device.on("message", (topic, _payload, packet) => {
        const traceparent = packet.properties?.userProperties?.["traceparent"];
        device.publish(`${topic}/ack`, JSON.stringify({ status: "ok", result: { rebooted: true } }), {
          qos: 1,
          ...(typeof traceparent === "string" ? { properties: { userProperties: { traceparent } } } : {}),
        });
      });
      await device.subscribeAsync("devices/trace-dev-1/commands/+", { qos: 1 });

      // --- one reading: gateway → log → both projectors → SSE, one trace
      const stream = await fetch(
        `${api.base}/api/v1/stream?types=telemetry.reported&device=trace-dev-1`,
        { headers },
      );
      assert.equal(stream.status, 200);
      const frames = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      closers.push(() => frames.cancel());
      await device.publishAsync("devices/trace-dev-1/telemetry", JSON.stringify({ temperature: 21.5 }), {
        qos: 1,
      });
      let text = "";
      const delivered = await eventually("the reading on the SSE stream", async () => {
        const { value, done } = await frames.read();
        if (done) throw new Error("the stream ended");
        text += value;
        const data = text.match(/^event: telemetry\.reported\n(?:id: .*\n)?data: (.+)$/m)?.[1];
        return data ? JSON.parse(data) : undefined;
      }, { timeoutMs: 30_000 });
      const traceId = parseTraceparent(delivered.traceparent)?.traceId;
      assert.ok(traceId, `the delivered event carries a traceparent: ${JSON.stringify(delivered)}`);

      const telemetryTopic = `${prefix}telemetry`;
      const by = (svc: string, operation: string, group?: string) => (s: JaegerSpan) =>
        s.service === service(svc) && s.operationName === operation &&
        (group === undefined || s.tags["messaging.consumer.group.name"] === group);
      const spans = await eventuallyTrace(traceId, {
        ingest: by("gateway", "ingest telemetry"),
        append: by("gateway", `append ${telemetryTopic}`),
        timeseries: by("projectors", `process ${telemetryTopic}`, "timeseries"),
        readmodels: by("projectors", `process ${telemetryTopic}`, "readmodels"),
        sse: by("api", `deliver ${telemetryTopic}`),
      });
      const ingest = spans.find(by("gateway", "ingest telemetry"))!;
      assert.equal(
        ingest.parentId,
        undefined,
        "the gateway starts the trace (the device sent no traceparent)",
      );
      assert.equal(ingest.tags["aiot.device.id"], "trace-dev-1");
      for (const consumer of spans.filter((s) => s.operationName === `process ${telemetryTopic}`)) {
        // Parent and link at once: Jaeger shows the pair as one FOLLOWS_FROM reference.
        assert.ok(
          consumer.references.includes(ingest.spanId),
          "a projector's batch continues the ingest span",
        );
      }
      assert.equal(spans.find(by("api", `deliver ${telemetryTopic}`))!.parentId, ingest.spanId);
      assert.equal(spans.find(by("gateway", `append ${telemetryTopic}`))!.parentId, ingest.spanId);
      assert.deepEqual(
        new Set(spans.map((s) => s.service)),
        new Set(["gateway", "projectors", "api"].map(service)),
        "three processes, one trace",
      );
      // Searched by service, the gateway has exactly that one ingest trace.
      assert.deepEqual(await traceIdsOf(service("gateway"), "ingest telemetry"), [traceId]);

      // --- a command: HTTP request → commands processor → device (traceparent) → ack → read models
      const callerTrace = crypto.randomUUID().replaceAll("-", "");
      const requested = await fetch(`${api.base}/api/v1/devices/trace-dev-1/commands`, {
        method: "POST",
        headers: { ...headers, traceparent: `00-${callerTrace}-00f067aa0ba902b7-01` },
        body: JSON.stringify({ name: "reboot" }),
      });
      assert.equal(requested.status, 202);
      const { commandId } = await requested.json();
      await eventually("the command acked", async () => {
        const r = await fetch(`${api.base}/api/v1/commands/${commandId}`, { headers });
        return (await r.json()).status === "acked";
      }, { timeoutMs: 30_000 });
      const commandTopic = `${prefix}command`;
      const commandSpans = await eventuallyTrace(callerTrace, {
        http: by("api", "POST /api/v1/devices/:id/commands"),
        dispatch: by("gateway", `process ${commandTopic}`, "commands"),
        publish: by("gateway", "publish commands/+"),
        ack: by("gateway", "ingest commands/+/ack"),
      });
      const http = commandSpans.find(by("api", "POST /api/v1/devices/:id/commands"))!;
      assert.equal(http.parentId, "00f067aa0ba902b7", "the HTTP span continues the caller's traceparent");
      const publish = commandSpans.find(by("gateway", "publish commands/+"))!;
      const ack = commandSpans.find(by("gateway", "ingest commands/+/ack"))!;
      // The commands processor's batch of `command.requested` (it also reads its own later events).
      const dispatch = commandSpans.find((s) => s.spanId === publish.parentId);
      assert.ok(
        dispatch && by("gateway", `process ${commandTopic}`, "commands")(dispatch),
        "published in a batch",
      );
      assert.ok(dispatch.references.includes(http.spanId), "the commands batch continues the request");
      assert.equal(ack.parentId, publish.spanId, "the device's ack continues the dispatch it answers");
      // The ack reaches the read models in the same trace (what `GET /commands/{id}` showed).
      await eventuallyTrace(callerTrace, {
        projected: (span) =>
          by("projectors", `process ${commandTopic}`, "readmodels")(span) &&
          span.references.includes(ack.spanId),
      });
    } finally {
      for (const close of closers.reverse()) await close().catch(() => {});
    }
  },
});
