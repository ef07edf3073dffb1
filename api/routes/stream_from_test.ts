/** `GET /api/v1/stream?from=` through the app: a bad `from` is a 400 naming it. */
import assert from "node:assert/strict";
import { createTestApp } from "../_test_app.ts";
import { readSse } from "../live/_read_sse.ts";
import { createLiveHub, type LiveHub } from "../live/live_hub.ts";

async function appWithHub() {
  const wired: { hub?: LiveHub } = {};
  const t = await createTestApp({ live: (request) => wired.hub!.open(request) });
  const hub = createLiveHub({ log: t.log, topics: Object.values(t.deps.topics), heartbeatMs: 60_000 });
  wired.hub = hub;
  await hub.ready;
  return { t, hub };
}

Deno.test("GET /stream?from=: not a time, or in the future, is a 400 naming from", async () => {
  const { t, hub } = await appWithHub();
  const future = new Date(t.clock.t + 3_600_000).toISOString();
  for (const from of ["yesterday", "2026-13-45T00:00:00Z", future]) {
    const response = await t.call("GET", `/api/v1/stream?from=${encodeURIComponent(from)}`, { as: "viewer" });
    assert.equal(response.status, 400, from);
    const body = await response.json();
    assert.equal(body.error.details[0].path, "from", from);
  }
  await hub.stop();
});

Deno.test("GET /stream?from=: replays what was appended since then, then live", async () => {
  const { t, hub } = await appWithHub();
  // The app's clock is set in the past; the log stamps appends with the real one.
  const before = new Date(Math.min(t.clock.t, Date.now()) - 1).toISOString();
  assert.equal((await t.call("POST", "/api/v1/devices", { as: "admin", body: { id: "d1" } })).status, 201);
  const response = await t.call("GET", `/api/v1/stream?types=device.registered&from=${before}`, {
    as: "viewer",
  });
  assert.equal(response.status, 200);
  const frames = readSse(response, 2);
  assert.equal((await t.call("POST", "/api/v1/devices", { as: "admin", body: { id: "d2" } })).status, 201);
  assert.deepEqual((await frames).map((f) => f.data.key), ["d1", "d2"]);
  await hub.stop();
});
