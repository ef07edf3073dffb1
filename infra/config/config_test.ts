import assert from "node:assert/strict";
import { loadConfig, ROLES } from "./config.ts";

Deno.test("loadConfig() gives the embedded defaults of design §8", () => {
  const config = loadConfig({});
  assert.equal(config.dataDir, "./data");
  assert.deepEqual(config.http, { host: "0.0.0.0", port: 8080 });
  assert.equal(config.mqtt.port, 1883);
  assert.equal(config.mqtt.tlsPort, 8883);
  assert.equal(config.topicPrefix, "aiot.");
  assert.deepEqual(config.roles, [...ROLES]);
  assert.equal(config.kafkaBrokers, undefined);
});

Deno.test("loadConfig() reads engines and roles", () => {
  const config = loadConfig({
    AIOT_KAFKA_BROKERS: "k1:9092, k2:9092",
    AIOT_POSTGRES_URL: "postgres://u:p@db:5432/aiot",
    AIOT_ROLES: "api,readmodels",
  });
  assert.deepEqual(config.kafkaBrokers, ["k1:9092", "k2:9092"]);
  assert.equal(config.postgresUrl, "postgres://u:p@db:5432/aiot");
  assert.deepEqual(config.roles, ["api", "readmodels"]);
});

Deno.test("loadConfig() names every bad variable", () => {
  assert.throws(
    () => loadConfig({ AIOT_HTTP_PORT: "http", AIOT_ROLES: "api,cooking", AIOT_ADMIN_PASSWORD: "short" }),
    (error: Error) =>
      error instanceof TypeError && /AIOT_HTTP_PORT/.test(error.message) &&
      /AIOT_ROLES/.test(error.message) &&
      /AIOT_ADMIN_PASSWORD/.test(error.message),
  );
});

Deno.test("loadConfig() reads the MQTT admin account of external broker mode and never echoes its password", () => {
  const url = "mqtt://aiot-ingest:ingest-pw@mosquitto:1883";
  const config = loadConfig({
    AIOT_MQTT_URL: url,
    AIOT_MQTT_ADMIN_USERNAME: "admin",
    AIOT_MQTT_ADMIN_PASSWORD: "very-secret-admin-pw",
  });
  assert.equal(config.mqtt.url, url);
  assert.deepEqual(config.mqtt.admin, { username: "admin", password: "very-secret-admin-pw" });
  assert.equal(loadConfig({ AIOT_MQTT_URL: url }).mqtt.admin, undefined, "optional: accounts by hand");
  for (
    const env of [
      { AIOT_MQTT_URL: url, AIOT_MQTT_ADMIN_PASSWORD: "very-secret-admin-pw" },
      { AIOT_MQTT_ADMIN_USERNAME: "admin", AIOT_MQTT_ADMIN_PASSWORD: "very-secret-admin-pw" },
    ]
  ) {
    assert.throws(
      () => loadConfig(env),
      (error: Error) =>
        error instanceof TypeError && /AIOT_MQTT_ADMIN_USERNAME/.test(error.message) &&
        !error.message.includes("very-secret-admin-pw"),
    );
  }
});

Deno.test("loadConfig() reads the embedded broker's connection caps, with defaults", () => {
  assert.deepEqual(loadConfig({}).mqtt.connectionCaps, {
    maxConnections: 10_000,
    maxConnectionsPerAddress: 100,
  });
  const config = loadConfig({ AIOT_MQTT_MAX_CONNECTIONS: "500", AIOT_MQTT_MAX_CONNECTIONS_PER_ADDRESS: "5" });
  assert.deepEqual(config.mqtt.connectionCaps, { maxConnections: 500, maxConnectionsPerAddress: 5 });
  assert.throws(
    () => loadConfig({ AIOT_MQTT_MAX_CONNECTIONS: "0", AIOT_MQTT_MAX_CONNECTIONS_PER_ADDRESS: "many" }),
    (error: Error) =>
      error instanceof TypeError && /AIOT_MQTT_MAX_CONNECTIONS:/.test(error.message) &&
      /AIOT_MQTT_MAX_CONNECTIONS_PER_ADDRESS: .*positive integer/.test(error.message),
  );
  assert.throws(
    () => loadConfig({ AIOT_MQTT_MAX_CONNECTIONS: "10", AIOT_MQTT_MAX_CONNECTIONS_PER_ADDRESS: "20" }),
    (error: Error) =>
      error instanceof TypeError && /AIOT_MQTT_MAX_CONNECTIONS_PER_ADDRESS/.test(error.message),
    "a per-address cap above the total cap is a mistake",
  );
});

Deno.test("loadConfig() reads the live stream's limits, with defaults", () => {
  assert.deepEqual(loadConfig({}).sse, {
    maxBufferedBytes: 4 * 1024 * 1024,
    maxResumeEvents: 10_000,
    streamsPerCaller: 8,
    authRecheckMs: 30_000,
  });
  const config = loadConfig({
    AIOT_SSE_MAX_BUFFERED_BYTES: "1048576",
    AIOT_SSE_MAX_RESUME_EVENTS: "500",
    AIOT_SSE_STREAMS_PER_CALLER: "2",
    AIOT_SSE_AUTH_RECHECK_SECONDS: "5",
  });
  assert.deepEqual(config.sse, {
    maxBufferedBytes: 1_048_576,
    maxResumeEvents: 500,
    streamsPerCaller: 2,
    authRecheckMs: 5_000,
  });
  assert.throws(
    () => loadConfig({ AIOT_SSE_MAX_BUFFERED_BYTES: "100", AIOT_SSE_STREAMS_PER_CALLER: "0" }),
    (error: Error) =>
      error instanceof TypeError && /AIOT_SSE_MAX_BUFFERED_BYTES: .*at least 65536/.test(error.message) &&
      /AIOT_SSE_STREAMS_PER_CALLER: .*positive integer/.test(error.message),
  );
});

Deno.test("loadConfig() reads AIOT_TRUST_PROXY as off, any proxy, or the proxies' addresses", () => {
  assert.equal(loadConfig({}).security.trustProxy, false);
  assert.equal(loadConfig({ AIOT_TRUST_PROXY: "0" }).security.trustProxy, false);
  assert.equal(loadConfig({ AIOT_TRUST_PROXY: "1" }).security.trustProxy, true);
  assert.deepEqual(
    loadConfig({ AIOT_TRUST_PROXY: "127.0.0.1, 10.0.0.0/8,fd00::/8" }).security.trustProxy,
    ["127.0.0.1", "10.0.0.0/8", "fd00::/8"],
  );
  assert.throws(
    () => loadConfig({ AIOT_TRUST_PROXY: "nginx" }),
    (error: Error) => error instanceof TypeError && /AIOT_TRUST_PROXY/.test(error.message),
  );
});
