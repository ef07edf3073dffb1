import assert from "node:assert/strict";
import { createInMemoryWebhookStore } from "../../core/testing/in_memory_webhook_store.ts";
import type { SecretBox } from "../../core/webhooks/store.ts";
import { createTestApp } from "../_test_app.ts";
import type { WebhookApiDeps } from "../deps.ts";

/** A reversible stand-in for the AES box of infra: enough to see the route seals with the id. */
const box: SecretBox = {
  seal: (plain, context) => Promise.resolve(`sealed(${context}):${btoa(plain)}`),
  open: (sealed, context) => Promise.resolve(atob(sealed.slice(`sealed(${context}):`.length))),
};

async function setup() {
  const webhooks: WebhookApiDeps = {
    store: createInMemoryWebhookStore(),
    secrets: box,
    checkUrl: (url) =>
      Promise.resolve(
        new URL(url).hostname.endsWith(".internal") ? "resolves to 10.0.0.1, a private address" : undefined,
      ),
  };
  return { t: await createTestApp({ webhooks }), webhooks };
}

const body = { url: "https://hooks.example.com/aiot", types: ["alert.raised", "device.registered"] };

Deno.test("admins register a webhook (secret shown once), list it without secrets, delete it", async () => {
  const { t, webhooks } = await setup();
  const created = await t.call("POST", "/api/v1/webhooks", {
    as: "admin",
    body: { ...body, description: "pager" },
  });
  assert.equal(created.status, 201);
  const json = await created.json();
  assert.match(json.id, /^[0-9a-f-]{36}$/);
  assert.match(json.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.deepEqual({ ...json, id: undefined, secret: undefined }, {
    id: undefined,
    secret: undefined,
    url: body.url,
    types: ["device.registered", "alert.raised"],
    description: "pager",
    enabled: true,
    createdAt: "2025-01-01T00:00:00.000Z",
  });
  const stored = await webhooks.store.getEndpoint(json.id);
  assert.ok(stored && !stored.secret.includes(json.secret), "stored sealed, not in plain text");
  assert.equal(await box.open(stored.secret, json.id), json.secret, "sealed for this endpoint");

  const listed = await (await t.call("GET", "/api/v1/webhooks", { as: "admin" })).json();
  assert.equal(listed.items.length, 1);
  assert.equal(listed.items[0].id, json.id);
  const text = JSON.stringify(listed);
  assert.ok(!text.includes("secret") && !text.includes(json.secret.slice(6)), "no secret in the listing");

  const audit = JSON.stringify(await (await t.call("GET", "/api/v1/audit", { as: "admin" })).json());
  assert.ok(audit.includes("POST /api/v1/webhooks") && !audit.includes(json.secret.slice(6)));

  assert.equal((await t.call("DELETE", `/api/v1/webhooks/${json.id}`, { as: "admin" })).status, 204);
  assert.equal((await t.call("DELETE", `/api/v1/webhooks/${json.id}`, { as: "admin" })).status, 404);
  assert.equal((await t.call("GET", `/api/v1/webhooks/${json.id}/deliveries`, { as: "admin" })).status, 404);
  assert.deepEqual((await (await t.call("GET", "/api/v1/webhooks", { as: "admin" })).json()).items, []);
});

Deno.test("bad webhook bodies are a 400 naming the field", async () => {
  const { t } = await setup();
  const cases: [unknown, string][] = [
    [{ ...body, url: "ftp://hooks.example.com/x" }, "url"],
    [{ ...body, url: "javascript:alert(1)" }, "url"],
    [{ ...body, url: "not a url" }, "url"],
    [{ ...body, url: "https://db.internal/x" }, "url"],
    [{ ...body, types: ["alert.raised", "no.such.type"] }, "types.1"],
    [{ ...body, types: ["input.rejected"] }, "types.0"],
    [{ ...body, types: [] }, "types"],
    [{ url: body.url }, "types"],
    [{ ...body, description: "x".repeat(257) }, "description"],
    [{ ...body, secret: "mine" }, "secret"],
  ];
  for (const [input, path] of cases) {
    const response = await t.call("POST", "/api/v1/webhooks", { as: "admin", body: input });
    assert.equal(response.status, 400, JSON.stringify(input));
    const { error } = await response.json();
    assert.deepEqual(error.details.map((d: { path: string }) => d.path), [path], JSON.stringify(input));
  }
  assert.deepEqual((await (await t.call("GET", "/api/v1/webhooks", { as: "admin" })).json()).items, []);
});

Deno.test("webhooks are for admins only", async () => {
  const { t } = await setup();
  for (const as of ["operator", "viewer"]) {
    assert.equal((await t.call("POST", "/api/v1/webhooks", { as, body })).status, 403, as);
    assert.equal((await t.call("GET", "/api/v1/webhooks", { as })).status, 403, as);
    assert.equal((await t.call("DELETE", "/api/v1/webhooks/x", { as })).status, 403, as);
    assert.equal((await t.call("GET", "/api/v1/webhooks/x/deliveries", { as })).status, 403, as);
  }
  assert.equal((await t.call("GET", "/api/v1/webhooks")).status, 401);
});

Deno.test("the delivery log lists an endpoint's deliveries newest first, in pages", async () => {
  const { t, webhooks } = await setup();
  const { id } = await (await t.call("POST", "/api/v1/webhooks", { as: "admin", body })).json();
  const at = Date.UTC(2025, 0, 1);
  await webhooks.store.enqueue([1, 2, 3].map((i) => ({
    id: `0190000${i}-0000-7000-8000-000000000000`,
    endpointId: id,
    eventId: `e${i}`,
    type: "alert.raised",
    body: "{}",
    createdAt: new Date(at).toISOString(),
    nextAttemptAt: at,
  })));
  await webhooks.store.recordAttempt("01900003-0000-7000-8000-000000000000", {
    status: "pending",
    attempts: 1,
    lastStatus: 500,
    lastError: "HTTP 500",
    nextAttemptAt: at + 5000,
  });
  await webhooks.store.recordAttempt("01900002-0000-7000-8000-000000000000", {
    status: "delivered",
    attempts: 1,
    lastStatus: 204,
  });
  const first = await (await t.call("GET", `/api/v1/webhooks/${id}/deliveries?limit=2`, { as: "admin" }))
    .json();
  assert.deepEqual(first.items, [
    {
      id: "01900003-0000-7000-8000-000000000000",
      eventId: "e3",
      type: "alert.raised",
      status: "pending",
      attempts: 1,
      lastStatus: 500,
      lastError: "HTTP 500",
      nextAttemptAt: "2025-01-01T00:00:05.000Z",
      createdAt: "2025-01-01T00:00:00.000Z",
    },
    {
      id: "01900002-0000-7000-8000-000000000000",
      eventId: "e2",
      type: "alert.raised",
      status: "delivered",
      attempts: 1,
      lastStatus: 204,
      createdAt: "2025-01-01T00:00:00.000Z",
    },
  ]);
  assert.ok(!JSON.stringify(first).includes('"body"'), "bodies stay in the store");
  const second =
    await (await t.call("GET", `/api/v1/webhooks/${id}/deliveries?limit=2&cursor=${first.next}`, {
      as: "admin",
    })).json();
  assert.deepEqual(second.items.map((d: { eventId: string }) => d.eventId), ["e1"]);
  assert.equal(second.next, undefined);
  const bad = await t.call("GET", `/api/v1/webhooks/${id}/deliveries?cursor=!!`, { as: "admin" });
  assert.equal(bad.status, 400);
});

Deno.test("the webhook routes are in the OpenAPI document, and absent without their dependencies", async () => {
  const { t } = await setup();
  const doc = await (await t.call("GET", "/api/v1/openapi.json")).json();
  assert.ok(doc.paths["/api/v1/webhooks"]?.post);
  assert.ok(doc.paths["/api/v1/webhooks/{id}/deliveries"]?.get);
  const plain = await createTestApp();
  assert.equal((await plain.call("GET", "/api/v1/webhooks", { as: "admin" })).status, 404);
});
