import assert from "node:assert/strict";
import { createDownloadSigner } from "../core/firmware/mod.ts";
import { createInMemoryFirmwareStore } from "../core/testing/in_memory_firmware_store.ts";
import { createTestApp } from "./_test_app.ts";
import { createApp } from "./app.ts";

Deno.test("GET /healthz answers 200 while the process is up", async () => {
  const app = createApp({ readiness: () => Promise.resolve([]) });
  const response = await app.request("/healthz");
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: "ok" });
});

Deno.test("GET /readyz is 503 and names the engine that is not reachable", async () => {
  const app = createApp({
    readiness: () =>
      Promise.resolve([{ name: "log", ok: true }, {
        name: "kafka",
        ok: false,
        detail: "connection refused",
      }]),
  });
  const original = console.error;
  console.error = () => {}; // the failing detail is logged (see routes/health_test.ts)
  const response = await Promise.resolve(app.request("/readyz")).finally(() => (console.error = original));
  assert.equal(response.status, 503);
  const body = await response.json();
  assert.equal(body.status, "not_ready");
  assert.deepEqual(body.checks[1], { name: "kafka", ok: false }, "the detail is for admins only");
});

Deno.test("unknown routes get the JSON error shape", async () => {
  const response = await createApp({ readiness: () => Promise.resolve([]) }).request("/nope");
  assert.equal(response.status, 404);
  assert.equal((await response.json()).error.code, "not_found");
});

Deno.test("every response carries the security headers; HSTS only when enabled", async () => {
  const t = await createTestApp();
  for (const path of ["/healthz", "/nope", "/api/v1/devices"]) {
    const response = await t.app.request(path);
    assert.equal(
      response.headers.get("content-security-policy")?.startsWith("default-src 'self'"),
      true,
      path,
    );
    assert.equal(response.headers.get("referrer-policy"), "no-referrer-when-downgrade");
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.equal(response.headers.get("x-frame-options"), "DENY");
    assert.equal(response.headers.get("strict-transport-security"), null);
  }
  const tls = createApp({ readiness: () => Promise.resolve([]), security: { hsts: true } });
  assert.match((await tls.request("/healthz")).headers.get("strict-transport-security") ?? "", /max-age=\d+/);
});

Deno.test("CORS is off by default and allows only the configured origins", async () => {
  const preflight = {
    method: "OPTIONS",
    headers: { origin: "https://ui.example", "access-control-request-method": "GET" },
  };
  const closed = await createTestApp();
  assert.equal(
    (await closed.app.request("/api/v1/devices", preflight)).headers.get("access-control-allow-origin"),
    null,
  );
  const open = await createTestApp({ security: { corsOrigins: ["https://ui.example"] } });
  const response = await open.app.request("/api/v1/devices", preflight);
  assert.equal(response.headers.get("access-control-allow-origin"), "https://ui.example");
});

Deno.test("the OpenAPI 3.1 document lists every route with params, bodies and status codes", async () => {
  const t = await createTestApp({
    live: () => new Response(""),
    metrics: () => "",
    firmware: {
      store: createInMemoryFirmwareStore(),
      signer: await createDownloadSigner(new Uint8Array(32)),
    },
  });
  const response = await t.call("GET", "/api/v1/openapi.json");
  assert.equal(response.status, 200);
  const doc = await response.json();
  assert.equal(doc.openapi, "3.1.0");
  const operations = Object.entries(doc.paths as Record<string, object>)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
  for (
    const expected of [
      "POST /api/v1/auth/login",
      "POST /api/v1/devices",
      "GET /api/v1/devices/{id}/telemetry",
      "PATCH /api/v1/devices/{id}/state/desired",
      "GET /api/v1/commands/{id}",
      "GET /api/v1/stream",
      "GET /api/v1/openapi.json",
      "GET /metrics",
      "GET /healthz",
    ]
  ) assert.ok(operations.includes(expected), expected);
  assert.equal(
    operations.length,
    55,
    "39 protected routes (export, firmware and OTA campaigns included), 10 of rules and alerts, login, the firmware " +
      "download, the document, health, readiness, metrics",
  );
  const register = doc.paths["/api/v1/devices"].post;
  const body = register.requestBody.content["application/json"].schema;
  assert.deepEqual(Object.keys(body.properties).sort(), ["id", "labels", "model", "name"]);
  assert.equal(body.additionalProperties, false);
  assert.ok(register.responses["409"].content, "errors carry the error schema");
  assert.match(register.responses["403"].description, /session cookie from an origin/);
  assert.equal(register.responses["415"].description, "The body is not application/json");
  const telemetry = doc.paths["/api/v1/devices/{id}/telemetry"].get;
  const params = telemetry.parameters.map((p: { name: string; in: string; required: boolean }) =>
    `${p.in}:${p.name}:${p.required}`
  );
  assert.deepEqual(params, [
    "path:id:true",
    "query:metric:true",
    "query:from:false",
    "query:to:false",
    "query:bucket:false",
    "query:agg:false",
    "query:limit:false",
  ]);
  const command =
    doc.paths["/api/v1/devices/{id}/commands"].post.requestBody.content["application/json"].schema;
  assert.deepEqual(command.properties.timeoutSeconds.maximum, 86_400);
});

Deno.test("the seams mount only when given: /metrics and /api/v1/stream", async () => {
  const without = await createTestApp();
  assert.equal((await without.app.request("/metrics")).status, 404);
  assert.equal((await without.call("GET", "/api/v1/stream", { as: "viewer" })).status, 404);
  const filters: unknown[] = [];
  const samples: { route: string; status: number }[] = [];
  const t = await createTestApp({
    metrics: () => "aiot_up 1\n",
    live: ({ filter }) => {
      filters.push(filter);
      return new Response("", { headers: { "content-type": "text/event-stream" } });
    },
    observeRequest: (sample) => samples.push(sample),
  });
  const metrics = await t.app.request("/metrics");
  assert.equal(await metrics.text(), "aiot_up 1\n");
  assert.match(metrics.headers.get("content-type") ?? "", /^text\/plain; version=0.0.4/);
  const stream = await t.call("GET", "/api/v1/stream?types=telemetry.reported,alert.raised&device=d1", {
    as: "viewer",
  });
  assert.equal(stream.status, 200);
  assert.deepEqual(filters, [{ types: ["telemetry.reported", "alert.raised"], device: "d1" }]);
  const bad = await t.call("GET", "/api/v1/stream?types=nope", { as: "viewer" });
  assert.deepEqual((await bad.json()).error.details, [{ path: "types.0", message: "unknown event type" }]);
  assert.deepEqual(samples.at(-1), { ...samples.at(-1), route: "/api/v1/stream", status: 400 });
});

Deno.test("a body over 1 MiB is 413 in the error shape, never 500", async () => {
  const t = await createTestApp();
  const response = await t.call("POST", "/api/v1/devices", {
    as: "operator",
    body: { name: "x".repeat(1_100_000) },
  });
  assert.equal(response.status, 413);
  assert.equal((await response.json()).error.code, "payload_too_large");
});

Deno.test("an app with only readiness serves no /api/v1 routes", async () => {
  const app = createApp({ readiness: () => Promise.resolve([]) });
  assert.equal((await app.request("/api/v1/devices")).status, 404);
  const doc = await (await app.request("/api/v1/openapi.json")).json();
  assert.deepEqual(Object.keys(doc.paths).sort(), ["/api/v1/openapi.json", "/healthz", "/readyz"]);
});

Deno.test("every $ref of the OpenAPI document resolves in the document (recursive schemas hoisted)", async () => {
  const t = await createTestApp();
  const doc = await (await t.call("GET", "/api/v1/openapi.json")).json();
  const text = JSON.stringify(doc);
  assert.equal(text.includes('"#/$defs/'), false, "no operation-local $defs");
  const refs = [...text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(refs.length > 1);
  assert.deepEqual(refs.filter((name) => !(name in doc.components.schemas)), []);
});
