/**
 * Bench `tracing`: what tracing costs ingest. Two all-in-one processes side by side (embedded
 * broker → ingest → SQLite log, projectors running), the same 20 emulated devices publishing QoS 1
 * telemetry to each, interleaved rounds:
 * - baseline: tracing off (no `OTEL_EXPORTER_OTLP_ENDPOINT`: the no-op API);
 * - AIOT: tracing on, 10% of traces sampled (`parentbased_traceidratio`, 0.1), exported over OTLP/HTTP
 *   to the local Jaeger (`engines.sh start jaeger`; AIOT_BENCH_OTLP_ENDPOINT or AIOT_TEST_OTLP_ENDPOINT).
 * Every message still gets a span context and a `traceparent` when tracing is on (unsampled ones
 * included, so downstream follows the decision); only sampled spans are recorded and exported.
 */
import mqtt from "mqtt";
import type { Comparison, Sample } from "./harness.ts";
import { publishAll, waitFor } from "./ingest.ts";
import { type PlatformChild, startPlatform } from "./platform_child.ts";

const DEVICES = 20;
const OTLP = Deno.env.get("AIOT_BENCH_OTLP_ENDPOINT") ?? Deno.env.get("AIOT_TEST_OTLP_ENDPOINT") ??
  "http://127.0.0.1:14318";
const QUERY = Deno.env.get("AIOT_TEST_JAEGER_QUERY_URL") ?? "http://127.0.0.1:16687";

interface Side {
  platform: PlatformChild;
  clients: mqtt.MqttClient[];
}

export function tracingComparisons(
  count: number,
  progress: (line: string) => void = console.error,
): Comparison[] & { close?: () => Promise<void> } {
  const ids = Array.from({ length: DEVICES }, (_, d) => `bench-trace-${d}`);
  const service = `aiot-bench-${Date.now().toString(36)}`;
  const sides: Partial<Record<"off" | "on", Side>> = {};

  const setup = async (which: "off" | "on"): Promise<Side> => {
    const existing = sides[which];
    if (existing) return existing;
    const env: Record<string, string> = which === "off" ? {} : {
      OTEL_EXPORTER_OTLP_ENDPOINT: OTLP,
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.1",
      OTEL_SERVICE_NAME: service,
    };
    const platform = await startPlatform(env);
    const clients: mqtt.MqttClient[] = [];
    for (const id of ids) {
      const token = await platform.register(id);
      clients.push(
        await mqtt.connectAsync(`mqtt://127.0.0.1:${platform.mqttPort}`, { username: id, password: token }),
      );
    }
    progress(`  tracing ${which}: all-in-one pid ${platform.pid}, ${DEVICES} devices connected`);
    return (sides[which] = { platform, clients });
  };

  const run = (which: "off" | "on") => async (): Promise<Sample> => {
    const { platform, clients } = await setup(which);
    const before = await platform.appended("aiot.telemetry");
    const started = performance.now();
    const publishing = publishAll(clients, ids, count, 1);
    const { arrived, at } = await waitFor(
      async () => (await platform.appended("aiot.telemetry")) - before,
      count,
      20,
    );
    await publishing;
    if (arrived < count) progress(`  tracing ${which}: only ${arrived}/${count} in the log`);
    return { units: arrived, ms: at - started };
  };

  const comparisons: Comparison[] & { close?: () => Promise<void> } = [{
    name: `ingest QoS 1 with tracing (${DEVICES} devices, ${count} msgs, 10% sampled → Jaeger)`,
    unit: "msg/s",
    baseline: { label: "all-in-one, tracing off (no-op API)", run: run("off") },
    aiot: { label: "all-in-one, tracing on, 10% sampled, OTLP/HTTP → Jaeger", run: run("on") },
  }];
  comparisons.close = async () => {
    // Proof that the traced side exported: Jaeger knows the service and holds some of its traces.
    const traces = await fetch(`${QUERY}/api/traces?service=${service}&limit=1000&lookback=1h`)
      .then((r) => r.json()).then((b) => (b.data ?? []).length, () => "unknown");
    progress(`  tracing: Jaeger holds ${traces} traces (search limit 1000) of ${service}`);
    for (const side of Object.values(sides)) {
      for (const client of side.clients) client.end(true);
      await side.platform.stop();
    }
  };
  return comparisons;
}
