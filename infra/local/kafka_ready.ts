// Readiness probe for the local Kafka engine: makes a real Metadata request with kafkajs
// (admin.connect() alone succeeds even against a socket that never answers).
// Usage: deno run --no-lock --allow-net --allow-env infra/local/kafka_ready.ts [brokers]
// Exit 0 when the broker answered, 1 otherwise (error on stderr).
import { Kafka, logLevel } from "kafkajs";

const brokers = (Deno.args[0] ?? Deno.env.get("AIOT_TEST_KAFKA_BROKERS") ?? "127.0.0.1:19092").split(",");
const kafka = new Kafka({
  clientId: "aiot-ready",
  brokers,
  logLevel: logLevel.NOTHING,
  connectionTimeout: 2000,
  requestTimeout: 4000,
  retry: { retries: 0 },
});
const admin = kafka.admin();
const timer = setTimeout(() => {
  console.error(`kafka_ready: no answer from ${brokers.join(",")} within 8 s`);
  Deno.exit(1);
}, 8000);
try {
  await admin.connect();
  const cluster = await admin.describeCluster(); // Metadata request, answered by the broker
  await admin.listTopics();
  if (cluster.brokers.length === 0) throw new Error("metadata lists no broker");
  if (cluster.controller === null || cluster.controller < 0) throw new Error("no active controller yet");
  console.log(`kafka ok: cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s)`);
  clearTimeout(timer);
  await admin.disconnect();
  Deno.exit(0);
} catch (err) {
  console.error(`kafka_ready: ${err instanceof Error ? err.message : String(err)}`);
  Deno.exit(1);
}
