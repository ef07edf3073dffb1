/**
 * `GET /api/v1/stream` through the app, with a real live hub over the test app's log: what a
 * caller may see, how many streams it may hold, and that a stream ends with its credentials.
 */
import assert from "node:assert/strict";
import { createTestApp } from "../_test_app.ts";
import { readSse } from "../live/_read_sse.ts";
import { createLiveHub, type LiveHub, type LiveHubOptions } from "../live/live_hub.ts";

async function appWithHub(options: Partial<LiveHubOptions> = {}) {
  // The hub reads the app's log, so it is made once the app is: the seam finds it here.
  const wired: { hub?: LiveHub } = {};
  const t = await createTestApp({ live: (request) => wired.hub!.open(request) });
  const hub = createLiveHub({
    log: t.log,
    topics: Object.values(t.deps.topics),
    heartbeatMs: 60_000,
    ...options,
  });
  wired.hub = hub;
  await hub.ready;
  return { t, hub };
}

Deno.test("GET /stream: device events reach a viewer without credential hashes", async () => {
  const { t, hub } = await appWithHub();
  const stream = await t.call("GET", "/api/v1/stream?types=device.registered,device.credentials.rotated", {
    as: "viewer",
  });
  assert.equal(stream.status, 200);
  const frames = readSse(stream, 2);
  assert.equal((await t.call("POST", "/api/v1/devices", { as: "admin", body: { id: "d1" } })).status, 201);
  assert.equal((await t.call("POST", "/api/v1/devices/d1/token", { as: "admin" })).status, 200);
  const events = await frames;
  assert.deepEqual(events.map((e) => e.event), ["device.registered", "device.credentials.rotated"]);
  const hashes = t.appended.flatMap((e) =>
    "credential" in e.data && e.data.credential ? [e.data.credential.hash] : []
  );
  assert.equal(hashes.length, 2, "both events carried a credential on the log");
  for (const event of events) {
    assert.equal(event.data.key, "d1");
    assert.equal("credential" in event.data.data, false, `${event.event} has no credential`);
    for (const hash of hashes) assert.ok(!event.text.includes(hash), `${event.event} does not carry a hash`);
  }
  await hub.stop();
});

Deno.test("GET /stream: a caller holds at most 8 streams at once; the 9th is 429", async () => {
  const { t, hub } = await appWithHub();
  const open: Response[] = [];
  for (let i = 0; i < 8; i++) {
    const response = await t.call("GET", "/api/v1/stream", { as: "viewer" });
    assert.equal(response.status, 200, `stream ${i + 1}`);
    open.push(response);
  }
  const refused = await t.call("GET", "/api/v1/stream", { as: "viewer" });
  assert.equal(refused.status, 429);
  assert.equal((await refused.json()).error.code, "rate_limited");
  assert.ok(Number(refused.headers.get("retry-after")) > 0);
  const other = await t.call("GET", "/api/v1/stream", { as: "operator" });
  assert.equal(other.status, 200, "another caller is not affected");
  await open.pop()!.body!.cancel();
  const again = await t.call("GET", "/api/v1/stream", { as: "viewer" });
  assert.equal(again.status, 200, "a closed stream frees its place");
  await Promise.all([...open, other, again].map((r) => r.body!.cancel()));
  await hub.stop();
});

Deno.test("GET /stream: the stream ends when its session is logged out, its user deleted or its token revoked", async () => {
  const { t, hub } = await appWithHub({ authRecheckMs: 20 });
  const created = await t.call("POST", "/api/v1/tokens", {
    as: "admin",
    body: { name: "kiosk", role: "viewer" },
  });
  const machine = await t.call("GET", "/api/v1/stream", { as: (await created.json()).token });
  const viewer = await t.call("GET", "/api/v1/stream", { as: "viewer" });
  const operator = await t.call("GET", "/api/v1/stream", { as: "operator" });
  assert.deepEqual([machine, viewer, operator].map((r) => r.status), [200, 200, 200]);
  assert.equal((await t.call("POST", "/api/v1/auth/logout", { as: "viewer" })).status, 204);
  assert.equal((await t.call("DELETE", "/api/v1/users/operator", { as: "admin" })).status, 204);
  assert.equal((await t.call("DELETE", "/api/v1/tokens/kiosk", { as: "admin" })).status, 204);
  for (const stream of [machine, viewer, operator]) {
    const events = await readSse(stream, 1);
    assert.deepEqual(events.map((e) => [e.event, e.data.code]), [["error", "unauthorized"]]);
  }
  assert.equal(hub.clients(), 0);
  await hub.stop();
});
