import assert from "node:assert/strict";
import { ingestUplink, type Uplink, type UplinkResult } from "./uplink.ts";
import { createMetricNameCap } from "./metric_name_cap.ts";

const NOW = Date.parse("2026-11-28T12:00:00.000Z");
const uplink = (topic: string, payload: unknown, deviceId = "dev-1"): Uplink => ({
  deviceId,
  topic: topic.replace("{id}", deviceId),
  payload: new TextEncoder().encode(JSON.stringify(payload)),
  qos: 1,
});
const rejection = (result: UplinkResult) => {
  assert.ok(!result.ok, "expected a rejection");
  return result;
};
const nested = (depth: number): Record<string, unknown> => depth === 1 ? { v: 1 } : { n: nested(depth - 1) };
const metrics = (from: number, count: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`m${from + i}`, i]));

Deno.test("reported state: a patch beyond 64 KiB serialized or 16 levels deep is refused, each with its reason", () => {
  const ingest = (patch: unknown) =>
    ingestUplink(uplink("devices/{id}/state/reported", patch), { now: () => NOW });
  assert.ok(ingest({ blob: "x".repeat(60_000), deep: nested(15) }).ok, "16 levels, under 64 KiB");
  const big = rejection(ingest({ blob: "x".repeat(70_000) }));
  assert.equal(big.reason, "state is 70011 bytes serialized, limit 65536");
  assert.equal(big.notice.reason, big.reason);
  assert.equal(big.rejected.type, "input.rejected");
  const deep = rejection(ingest({ deep: nested(16) }));
  assert.equal(deep.reason, "state is nested more than 16 levels deep");
  // Configurable like the other uplink limits.
  const limits = { maxStateBytes: 100, maxStateDepth: 2 };
  const ingestWith = (patch: unknown) =>
    ingestUplink(uplink("devices/{id}/state/reported", patch), { now: () => NOW, limits });
  assert.match(rejection(ingestWith({ blob: "x".repeat(100) })).reason, /limit 100$/);
  assert.match(rejection(ingestWith({ a: { b: { c: 1 } } })).reason, /nested more than 2 levels deep$/);
});

Deno.test("telemetry introducing a device's metric beyond the cap goes to the DLQ with its reason and a notice", () => {
  const metricNames = createMetricNameCap({ knownMetrics: () => new Promise(() => {}) });
  const ingest = (values: Record<string, number>, deviceId = "dev-1") =>
    ingestUplink(uplink("devices/{id}/telemetry", { values }, deviceId), {
      now: () => NOW,
      limits: { maxMetricsPerDevice: 5 },
      metricNames,
    });
  assert.ok(ingest(metrics(0, 3)).ok);
  assert.ok(ingest(metrics(2, 3)).ok, "m2 is known: 5 distinct metrics");
  assert.ok(ingest(metrics(0, 5)).ok, "known metrics are always accepted");
  const refused = rejection(ingest({ m0: 1, m5: 1 }));
  assert.equal(refused.reason, 'telemetry: metric "m5" would be the device\'s 6th distinct metric, limit 5');
  assert.equal(refused.rejected.type, "input.rejected");
  assert.equal((refused.rejected.data as { deviceId: string }).deviceId, "dev-1");
  assert.equal(refused.notice.topic, "devices/dev-1/telemetry");
  assert.ok(ingest(metrics(0, 5), "dev-2").ok, "the cap is per device");
});

Deno.test("reported state nested far too deep is refused for its depth, not by a stack overflow", () => {
  const payload = new TextEncoder().encode(`{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
  const result = ingestUplink({ deviceId: "dev-1", topic: "devices/dev-1/state/reported", payload }, {
    now: () => NOW,
  });
  assert.equal(rejection(result).reason, "state is nested more than 16 levels deep");
});
