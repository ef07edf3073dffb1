import assert from "node:assert/strict";
import { oldestRecordTime } from "../../core/log/oldest_record.ts";
import { KEEP_EVERYTHING, type RetentionPolicy, retentionReport } from "../../core/retention/mod.ts";
import { createTestApp, T0, type TestApp } from "../_test_app.ts";
import { createEvent } from "../../core/events/catalog.ts";

const DAY = 86_400_000;

async function appWith(policy: RetentionPolicy): Promise<TestApp> {
  const app: { t?: TestApp } = {};
  app.t = await createTestApp({
    retention: () =>
      retentionReport(policy, {
        log: {
          engine: "memory",
          topics: app.t!.deps.topics,
          oldest: (topic) => oldestRecordTime(app.t!.log, topic),
        },
        timeseries: { engine: "memory", oldest: () => app.t!.deps.timeseries.oldest() },
        dlqOldest: () => Promise.resolve(undefined),
      }),
  });
  return app.t;
}

Deno.test("GET /retention shows each store's setting and its oldest data, to viewers", async () => {
  const t = await appWith({
    log: { telemetry: 7 * DAY, device: Infinity },
    timeseries: { raw: 7 * DAY, "1h": 365 * DAY },
    dlq: 14 * DAY,
    sweepIntervalMs: 300_000,
  });
  await t.deps.timeseries.write([
    { deviceId: "d1", metric: "temperature", t: T0 + 90_000, value: 20, seq: 1 },
    { deviceId: "d1", metric: "temperature", t: T0 + 7_200_000, value: 21, seq: 2 },
  ]);
  await t.deps.appendEvents(t.deps.topics.telemetry, [
    createEvent("telemetry.reported", { values: [{ name: "temperature", value: 20, ts: T0 }] }, {
      key: "d1",
      source: "test",
    }),
  ]);
  const response = await t.call("GET", "/api/v1/retention", { as: "viewer" });
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.sweepIntervalMs, 300_000);
  const item = (store: string, name: string) =>
    body.items.find((i: { store: string; name: string }) => i.store === store && i.name === name);
  assert.deepEqual(item("log", "aiot.telemetry").retention, "7d");
  assert.equal(item("log", "aiot.telemetry").expiry, "sweep");
  assert.ok(item("log", "aiot.telemetry").oldest !== null);
  assert.deepEqual(item("log", "aiot.device"), {
    store: "log",
    name: "aiot.device",
    retention: "forever",
    retentionMs: null,
    expiry: "none",
    oldest: null,
  });
  assert.deepEqual(item("timeseries", "raw"), {
    store: "timeseries",
    name: "raw",
    retention: "7d",
    retentionMs: 7 * DAY,
    expiry: "sweep",
    oldest: new Date(T0 + 90_000).toISOString(),
  });
  assert.equal(item("timeseries", "1m").oldest, new Date(T0 + 60_000).toISOString());
  assert.equal(item("timeseries", "1h").retention, "1y");
  assert.equal(item("timeseries", "1d").retention, "forever");
  assert.equal(item("dlq", "dead letters").retention, "14d");

  // The oldest data moves when a sweep deleted it.
  await t.deps.timeseries.deleteOlderThan("raw", T0 + 3_600_000, 100);
  const after = await (await t.call("GET", "/api/v1/retention", { as: "viewer" })).json();
  const raw = after.items.find((i: { name: string }) => i.name === "raw");
  assert.equal(raw.oldest, new Date(T0 + 7_200_000).toISOString());
});

Deno.test("GET /retention needs credentials", async () => {
  const t = await appWith(KEEP_EVERYTHING);
  assert.equal((await t.call("GET", "/api/v1/retention")).status, 401);
});
