import assert from "node:assert/strict";
import { retentionFromEnv } from "./retention_config.ts";
import { loadConfig } from "./config.ts";

const DAY = 86_400_000;

Deno.test("retentionFromEnv() keeps everything when nothing is configured", () => {
  assert.deepEqual(retentionFromEnv({}), { log: {}, timeseries: {}, sweepIntervalMs: 300_000 });
});

Deno.test("retentionFromEnv() reads per topic, per tier and the DLQ, with forever as Infinity", () => {
  const policy = retentionFromEnv({
    AIOT_RETENTION_LOG: "30d",
    AIOT_RETENTION_LOG_TELEMETRY: "7d",
    AIOT_RETENTION_LOG_DEVICE: "forever",
    AIOT_RETENTION_TELEMETRY_RAW: "1w",
    AIOT_RETENTION_ROLLUP_1M: "30d",
    AIOT_RETENTION_ROLLUP_1H: "1y",
    AIOT_RETENTION_DLQ: "14d",
    AIOT_RETENTION_SWEEP_INTERVAL: "10m",
  });
  assert.deepEqual(policy, {
    log: {
      telemetry: 7 * DAY,
      device: Infinity,
      command: 30 * DAY,
      ota: 30 * DAY,
      alert: 30 * DAY,
      dlq: 14 * DAY, // AIOT_RETENTION_DLQ covers the dlq topic unless it has its own
    },
    timeseries: { raw: 7 * DAY, "1m": 30 * DAY, "1h": 365 * DAY },
    dlq: 14 * DAY,
    sweepIntervalMs: 600_000,
  });
});

Deno.test("retentionFromEnv() keeps the older AIOT_LOG_RETENTION_HOURS as the default of every topic", () => {
  const policy = retentionFromEnv({ AIOT_LOG_RETENTION_HOURS: "48", AIOT_RETENTION_LOG_ALERT: "1y" });
  assert.equal(policy.log.telemetry, 2 * DAY);
  assert.equal(policy.log.alert, 365 * DAY);
});

Deno.test("retentionFromEnv() names every bad variable", () => {
  assert.throws(
    () =>
      retentionFromEnv({
        AIOT_RETENTION_TELEMETRY_RAW: "7 days",
        AIOT_RETENTION_LOG_TELEMETRI: "7d",
        AIOT_RETENTION_ROLLUP_1H: "0d",
        AIOT_RETENTION_SWEEP_INTERVAL: "forever",
      }),
    (error: Error) =>
      error instanceof TypeError &&
      /AIOT_RETENTION_TELEMETRY_RAW must be a duration such as 7d.*got "7 days"/.test(error.message) &&
      /AIOT_RETENTION_LOG_TELEMETRI names no topic: use one of AIOT_RETENTION_LOG_TELEMETRY/.test(
        error.message,
      ) &&
      /AIOT_RETENTION_ROLLUP_1H must be a duration/.test(error.message) &&
      /AIOT_RETENTION_SWEEP_INTERVAL must be a duration, not forever/.test(error.message),
  );
  assert.throws(
    () => retentionFromEnv({ AIOT_RETENTION_LOG: "7d", AIOT_LOG_RETENTION_HOURS: "24" }),
    /set only one of them/,
  );
});

Deno.test("loadConfig() carries the retention policy and rejects a bad one", () => {
  assert.equal(loadConfig({ AIOT_RETENTION_ROLLUP_1D: "5y" }).retention.timeseries["1d"], 5 * 365 * DAY);
  assert.throws(() => loadConfig({ AIOT_RETENTION_DLQ: "soon" }), /AIOT_RETENTION_DLQ must be a duration/);
});
