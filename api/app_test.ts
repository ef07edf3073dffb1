import assert from "node:assert/strict";
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
  const response = await app.request("/readyz");
  assert.equal(response.status, 503);
  const body = await response.json();
  assert.equal(body.status, "not_ready");
  assert.deepEqual(body.checks[1], { name: "kafka", ok: false, detail: "connection refused" });
});

Deno.test("unknown routes get the JSON error shape", async () => {
  const response = await createApp({ readiness: () => Promise.resolve([]) }).request("/nope");
  assert.equal(response.status, 404);
  assert.equal((await response.json()).error.code, "not_found");
});
