import { createEvent } from "../../core/events/catalog.ts";
import assert from "node:assert/strict";
import { createTestApp, T0 } from "../_test_app.ts";

async function withTelemetry() {
  const t = await createTestApp();
  await t.call("POST", "/api/v1/devices", { as: "operator", body: { id: "d1" } });
  await t.deps.timeseries.write([
    { deviceId: "d1", metric: "temperature", t: T0 - 150_000, value: 20, seq: 1 },
    { deviceId: "d1", metric: "temperature", t: T0 - 90_000, value: 22, seq: 2 },
    { deviceId: "d1", metric: "temperature", t: T0 - 80_000, value: 24, seq: 3 },
    { deviceId: "d1", metric: "mode", t: T0 - 80_000, value: "eco", seq: 3 },
  ]);
  return t;
}

Deno.test("GET /telemetry without bucket answers the raw points of the last hour", async () => {
  const t = await withTelemetry();
  const response = await t.call("GET", "/api/v1/devices/d1/telemetry?metric=temperature", { as: "viewer" });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    deviceId: "d1",
    metric: "temperature",
    agg: null,
    bucket: null,
    points: [{ t: T0 - 150_000, v: 20 }, { t: T0 - 90_000, v: 22 }, { t: T0 - 80_000, v: 24 }],
  });
});

Deno.test("GET /telemetry with bucket and agg downsamples; from/to take ISO-8601 or epoch ms", async () => {
  const t = await withTelemetry();
  const from = new Date(T0 - 180_000).toISOString();
  for (const to of [String(T0), new Date(T0).toISOString()]) {
    const url = `/api/v1/devices/d1/telemetry?metric=temperature&bucket=1m&agg=max&from=${from}&to=${to}`;
    const body = await (await t.call("GET", url, { as: "viewer" })).json();
    assert.deepEqual(body, {
      deviceId: "d1",
      metric: "temperature",
      agg: "max",
      bucket: "1m",
      points: [{ t: T0 - 180_000, v: 20 }, { t: T0 - 120_000, v: 24 }],
    });
  }
  const avg =
    await (await t.call("GET", "/api/v1/devices/d1/telemetry?metric=temperature&bucket=1h", { as: "viewer" }))
      .json();
  assert.equal(avg.agg, "avg", "avg by default");
});

Deno.test("telemetry queries name the bad parameter", async () => {
  const t = await withTelemetry();
  const cases: [string, string][] = [
    ["", "metric"],
    ["metric=a b", "metric"],
    ["metric=temperature&bucket=5x", "bucket"],
    ["metric=temperature&bucket=1m&agg=median", "agg"],
    ["metric=temperature&agg=max", "agg"],
    ["metric=temperature&from=yesterday", "from"],
    ["metric=temperature&from=2000&to=1000", "from"],
    ["metric=temperature&limit=0", "limit"],
  ];
  for (const [query, path] of cases) {
    const response = await t.call("GET", `/api/v1/devices/d1/telemetry?${query}`, { as: "viewer" });
    assert.equal(response.status, 400, query);
    assert.deepEqual(
      (await response.json()).error.details.map((d: { path: string }) => d.path),
      [path],
      query,
    );
  }
  assert.equal(
    (await t.call("GET", "/api/v1/devices/nope/telemetry?metric=x", { as: "viewer" })).status,
    404,
  );
});

Deno.test("telemetry queries are bounded: at most 10,000 raw points and 10,000 buckets, else 400", async () => {
  const t = await withTelemetry();
  const cases: [string, string, string][] = [
    ["metric=temperature&limit=10001", "limit", "10000"],
    // One year in 7 s buckets: 4.5 million buckets, each aggregated from raw points.
    [`metric=temperature&bucket=7s&from=${T0 - 365 * 86_400_000}&to=${T0}`, "bucket", "10000"],
    [`metric=temperature&bucket=1m&from=0&to=${T0}`, "bucket", "10000"],
  ];
  for (const [query, path, limit] of cases) {
    const response = await t.call("GET", `/api/v1/devices/d1/telemetry?${query}`, { as: "viewer" });
    assert.equal(response.status, 400, query);
    const [detail, ...more] = (await response.json()).error.details;
    assert.equal(more.length, 0, query);
    assert.equal(detail.path, path, query);
    assert.match(detail.message.replaceAll(",", ""), new RegExp(limit), query);
  }
  const most = `metric=temperature&bucket=1m&from=${T0 - 10_000 * 60_000}&to=${T0}`;
  assert.equal((await t.call("GET", `/api/v1/devices/d1/telemetry?${most}`, { as: "viewer" })).status, 200);
});

Deno.test("GET /metrics of a device lists each metric with its latest value, time and count", async () => {
  const t = await withTelemetry();
  const reading = (values: { name: string; value: number | string; ts: number }[]) =>
    createEvent("telemetry.reported", { values }, { key: "d1", source: "test" });
  await t.deps.appendEvents(t.deps.topics.telemetry, [
    reading([{ name: "temperature", value: 20, ts: T0 - 150_000 }]),
    reading([{ name: "temperature", value: 24, ts: T0 - 80_000 }, {
      name: "mode",
      value: "eco",
      ts: T0 - 80_000,
    }]),
    reading([{ name: "temperature", value: 22, ts: T0 - 90_000 }]), // late: counted, not the latest
  ]);
  const body = await (await t.call("GET", "/api/v1/devices/d1/metrics", { as: "viewer" })).json();
  assert.deepEqual(body, {
    items: [
      { metric: "mode", value: "eco", t: T0 - 80_000, quality: "good", count: 1 },
      { metric: "temperature", value: 24, t: T0 - 80_000, quality: "good", count: 3 },
    ],
  });
});

Deno.test("GET /state of a device without a shadow yet is empty; PATCH desired appends device.state.desired", async () => {
  const t = await withTelemetry();
  const empty = await (await t.call("GET", "/api/v1/devices/d1/state", { as: "viewer" })).json();
  assert.deepEqual(empty, {
    reported: {},
    desired: {},
    delta: {},
    version: 0,
    connected: false,
    lastSeen: null,
  });
  const patched = await t.call("PATCH", "/api/v1/devices/d1/state/desired", {
    as: "operator",
    body: { fan: { speed: 3 }, led: null },
  });
  assert.equal(patched.status, 202);
  const body = await patched.json();
  assert.deepEqual(body.desired, { fan: { speed: 3 } });
  assert.deepEqual(body.delta, { fan: { speed: 3 } });
  assert.equal(body.version, 1);
  const event = t.appended.at(-1)!;
  assert.equal(event.type, "device.state.desired");
  assert.deepEqual(event.data, { patch: { fan: { speed: 3 }, led: null }, by: "operator" });
  assert.equal(event.id, body.eventId);
  const state = await (await t.call("GET", "/api/v1/devices/d1/state", { as: "viewer" })).json();
  assert.equal(state.version, 1);
});

Deno.test("PATCH desired refuses non-objects, empty patches, unknown and decommissioned devices", async () => {
  const t = await withTelemetry();
  for (const body of [[1], "on", {}]) {
    const response = await t.call("PATCH", "/api/v1/devices/d1/state/desired", { as: "operator", body });
    assert.equal(response.status, 400, JSON.stringify(body));
  }
  assert.equal(
    (await t.call("PATCH", "/api/v1/devices/nope/state/desired", { as: "operator", body: { a: 1 } })).status,
    404,
  );
  await t.call("DELETE", "/api/v1/devices/d1", { as: "operator" });
  assert.equal(
    (await t.call("PATCH", "/api/v1/devices/d1/state/desired", { as: "operator", body: { a: 1 } })).status,
    409,
  );
});

Deno.test("PATCH desired refuses a patch or a resulting desired state beyond 64 KiB or 16 levels, naming the limit", async () => {
  const t = await withTelemetry();
  const patch = (body: unknown) =>
    t.call("PATCH", "/api/v1/devices/d1/state/desired", { as: "operator", body });
  const nested = (depth: number): Record<string, unknown> =>
    depth === 1 ? { v: 1 } : { n: nested(depth - 1) };
  const refusal = async (response: Response) => {
    assert.equal(response.status, 400);
    const { error } = await response.json();
    assert.equal(error.details.length, 1);
    return error.details[0];
  };
  assert.deepEqual(await refusal(await patch({ blob: "x".repeat(70_000) })), {
    path: "",
    message: "desired state patch is 70011 bytes serialized, limit 65536",
  });
  assert.deepEqual(await refusal(await patch({ deep: nested(16) })), {
    path: "",
    message: "desired state patch is nested more than 16 levels deep",
  });
  // Small patches that add up: the merged document is capped too.
  assert.equal((await patch({ a: "x".repeat(40_000) })).status, 202);
  assert.deepEqual(await refusal(await patch({ b: "x".repeat(40_000) })), {
    path: "",
    message: "desired state after the patch is 80015 bytes serialized, limit 65536",
  });
  assert.equal(
    (await patch({ a: null, b: "x".repeat(40_000) })).status,
    202,
    "a patch that shrinks it is fine",
  );
});

Deno.test("PATCH desired refuses a body nested far too deep with a 400, not a stack overflow", async () => {
  const t = await withTelemetry();
  const body = JSON.parse(`{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
  const response = await t.call("PATCH", "/api/v1/devices/d1/state/desired", { as: "operator", body });
  assert.equal(response.status, 400);
  assert.deepEqual((await response.json()).error.details, [
    { path: "", message: "at most 64 levels of nesting" }, // the body guard of every JSON route
  ]);
});
