import assert from "node:assert/strict";
import { createTestApp } from "../_test_app.ts";

Deno.test("POST /devices answers 201 with the token once; an immediate GET sees the device", async () => {
  const t = await createTestApp();
  const response = await t.call("POST", "/api/v1/devices", {
    as: "operator",
    body: { id: "boiler-1", name: "Boiler", labels: { site: "paris" } },
  });
  assert.equal(response.status, 201);
  assert.equal(response.headers.get("location"), "/api/v1/devices/boiler-1");
  const created = await response.json();
  assert.equal(created.id, "boiler-1");
  assert.match(created.token, /^tok_/);
  assert.equal(created.credential, undefined, "never the hash");
  const got = await (await t.call("GET", "/api/v1/devices/boiler-1", { as: "viewer" })).json();
  assert.deepEqual(got, {
    id: "boiler-1",
    name: "Boiler",
    labels: { site: "paris" },
    status: "active",
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
  });
  const event = t.appended.at(-1)!;
  assert.equal(event.type, "device.registered");
  assert.equal((event.data as { by?: string }).by, "operator");
  assert.ok(!JSON.stringify(event).includes(created.token), "the token never enters the log");
});

Deno.test("POST /devices without an id generates one; a duplicate id is 409", async () => {
  const t = await createTestApp();
  const generated = await (await t.call("POST", "/api/v1/devices", { as: "operator" })).json();
  assert.match(generated.id, /^[0-9a-f-]{36}$/);
  await t.call("POST", "/api/v1/devices", { as: "operator", body: { id: "d1" } });
  const duplicate = await t.call("POST", "/api/v1/devices", { as: "operator", body: { id: "d1" } });
  assert.equal(duplicate.status, 409);
  assert.equal((await duplicate.json()).error.code, "conflict");
});

Deno.test("device bodies: each kind of bad input is a 400 naming the field", async () => {
  const t = await createTestApp();
  const cases: [string, string, unknown, string[]][] = [
    ["POST", "/api/v1/devices", { id: 42 }, ["id"]],
    ["POST", "/api/v1/devices", { id: "a/b" }, ["id"]],
    ["POST", "/api/v1/devices", { labels: { site: 7 } }, ["labels.site"]],
    ["POST", "/api/v1/devices", { labels: { "bad key!": "x" } }, ["labels.bad key!"]],
    ["POST", "/api/v1/devices", { name: "x".repeat(257) }, ["name"]],
    ["POST", "/api/v1/devices", { colour: "red" }, ["colour"]],
    ["POST", "/api/v1/devices", [1, 2], [""]],
    ["PATCH", "/api/v1/devices/d1", {}, [""]],
    ["PATCH", "/api/v1/devices/d1", { labels: "site=paris" }, ["labels"]],
  ];
  await t.call("POST", "/api/v1/devices", { as: "operator", body: { id: "d1" } });
  for (const [method, path, body, paths] of cases) {
    const response = await t.call(method, path, { as: "operator", body });
    assert.equal(response.status, 400, JSON.stringify(body));
    const { error } = await response.json();
    assert.equal(error.code, "validation_failed");
    assert.deepEqual(error.details.map((d: { path: string }) => d.path), paths, JSON.stringify(body));
  }
  const notJson = await t.app.request("/api/v1/devices", {
    method: "POST",
    headers: { authorization: `Bearer ${t.tokens.operator}`, "content-type": "application/json" },
    body: "{nope",
  });
  assert.equal(notJson.status, 400);
});

Deno.test("GET /devices filters by label and pages with a cursor", async () => {
  const t = await createTestApp();
  for (const [id, site] of [["a", "paris"], ["b", "lyon"], ["c", "paris"], ["d", "paris"]]) {
    await t.call("POST", "/api/v1/devices", { as: "operator", body: { id, labels: { site: site! } } });
  }
  const first = await (await t.call("GET", "/api/v1/devices?label=site:paris&limit=2", { as: "viewer" }))
    .json();
  assert.deepEqual(first.items.map((d: { id: string }) => d.id), ["a", "c"]);
  assert.equal(typeof first.next, "string");
  const second = await (await t.call("GET", `/api/v1/devices?label=site:paris&limit=2&cursor=${first.next}`, {
    as: "viewer",
  })).json();
  assert.deepEqual(second, { items: [second.items[0]] });
  assert.equal(second.items[0].id, "d");
  for (const query of ["label=site", "limit=0", "limit=x", "cursor=%%%"]) {
    const response = await t.call("GET", `/api/v1/devices?${query}`, { as: "viewer" });
    assert.equal(response.status, 400, query);
  }
});

Deno.test("PATCH, token rotation and DELETE (decommission) of a device", async () => {
  const t = await createTestApp();
  const { token } = await (await t.call("POST", "/api/v1/devices", { as: "operator", body: { id: "d1" } }))
    .json();
  const patched = await t.call("PATCH", "/api/v1/devices/d1", {
    as: "operator",
    body: { name: "Pump", labels: { a: "1" } },
  });
  assert.equal(patched.status, 200);
  assert.deepEqual([(await patched.json()).name], ["Pump"]);
  const rotated = await (await t.call("POST", "/api/v1/devices/d1/token", { as: "operator" })).json();
  assert.equal(rotated.id, "d1");
  assert.notEqual(rotated.token, token);
  const deleted = await t.call("DELETE", "/api/v1/devices/d1", { as: "operator" });
  assert.equal(deleted.status, 200);
  assert.equal((await deleted.json()).status, "decommissioned");
  assert.equal((await t.call("DELETE", "/api/v1/devices/d1", { as: "operator" })).status, 409);
  assert.equal((await t.call("POST", "/api/v1/devices/d1/token", { as: "operator" })).status, 409);
  for (
    const [method, path] of [["GET", "/api/v1/devices/nope"], ["PATCH", "/api/v1/devices/nope"], [
      "DELETE",
      "/api/v1/devices/nope",
    ]]
  ) {
    const response = await t.call(method!, path!, {
      as: "operator",
      ...(method === "PATCH" ? { body: { name: "x" } } : {}),
    });
    assert.equal(response.status, 404, `${method} ${path}`);
  }
});
