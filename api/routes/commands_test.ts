import assert from "node:assert/strict";
import { createEvent } from "../../core/events/catalog.ts";
import { createTestApp, T0 } from "../_test_app.ts";

Deno.test("POST /commands appends command.requested expiring after timeoutSeconds; GET reads it back", async () => {
  const t = await createTestApp();
  await t.call("POST", "/api/v1/devices", { as: "operator", body: { id: "d1" } });
  const response = await t.call("POST", "/api/v1/devices/d1/commands", {
    as: "operator",
    body: { name: "reboot", params: { delay: 5 }, timeoutSeconds: 30 },
  });
  assert.equal(response.status, 202);
  const { commandId, status, expiresAt } = await response.json();
  assert.equal(status, "requested");
  assert.equal(expiresAt, new Date(T0 + 30_000).toISOString());
  const event = t.appended.at(-1)!;
  assert.equal(event.type, "command.requested");
  assert.equal(event.key, "d1");
  assert.deepEqual(event.data, {
    commandId,
    name: "reboot",
    params: { delay: 5 },
    expiresAt,
    requestedBy: "operator",
  });
  const command = await (await t.call("GET", `/api/v1/commands/${commandId}`, { as: "viewer" })).json();
  assert.deepEqual(
    [command.id, command.deviceId, command.name, command.status, command.expiresAt],
    [commandId, "d1", "reboot", "requested", expiresAt],
  );
  const list = await (await t.call("GET", "/api/v1/devices/d1/commands?status=requested", { as: "viewer" }))
    .json();
  assert.deepEqual(list.items.map((c: { id: string }) => c.id), [commandId]);
});

Deno.test("timeoutSeconds defaults to 60", async () => {
  const t = await createTestApp();
  await t.call("POST", "/api/v1/devices", { as: "operator", body: { id: "d1" } });
  const body =
    await (await t.call("POST", "/api/v1/devices/d1/commands", { as: "operator", body: { name: "ping" } }))
      .json();
  assert.equal(body.expiresAt, new Date(T0 + 60_000).toISOString());
});

Deno.test("command bodies: missing, wrong type, unknown and out-of-range fields are named", async () => {
  const t = await createTestApp();
  await t.call("POST", "/api/v1/devices", { as: "operator", body: { id: "d1" } });
  const cases: [unknown, string[]][] = [
    [{}, ["name"]],
    [{ name: 5 }, ["name"]],
    [{ name: "reboot", params: [1] }, ["params"]],
    [{ name: "reboot", timeoutSeconds: 0 }, ["timeoutSeconds"]],
    [{ name: "reboot", timeoutSeconds: 86_401 }, ["timeoutSeconds"]],
    [{ name: "reboot", timeoutSeconds: 1.5 }, ["timeoutSeconds"]],
    [{ name: "reboot", priority: "high" }, ["priority"]],
  ];
  for (const [body, paths] of cases) {
    const response = await t.call("POST", "/api/v1/devices/d1/commands", { as: "operator", body });
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.deepEqual((await response.json()).error.details.map((d: { path: string }) => d.path), paths);
  }
  assert.equal(
    (await t.call("POST", "/api/v1/devices/nope/commands", { as: "operator", body: { name: "x" } })).status,
    404,
  );
  assert.equal((await t.call("GET", "/api/v1/commands/nope", { as: "viewer" })).status, 404);
  assert.equal(
    (await t.call("GET", "/api/v1/devices/d1/commands?status=done", { as: "viewer" })).status,
    400,
  );
});

Deno.test("GET /dlq lists rejected uplinks newest first, filtered by device", async () => {
  const t = await createTestApp();
  const reject = (deviceId: string, at: number) =>
    createEvent("input.rejected", {
      topic: `devices/${deviceId}/telemetry`,
      reason: "invalid JSON",
      payloadBase64: btoa("{nope"),
      deviceId,
    }, { key: deviceId, source: "ingest", now: () => at });
  await t.deps.appendEvents(t.deps.topics.dlq, [
    reject("d1", T0),
    reject("d2", T0 + 1),
    reject("d1", T0 + 2),
  ]);
  const all = await (await t.call("GET", "/api/v1/dlq", { as: "viewer" })).json();
  assert.equal(all.items.length, 3);
  const d1 = await (await t.call("GET", "/api/v1/dlq?device=d1&limit=1", { as: "viewer" })).json();
  assert.equal(d1.items.length, 1);
  assert.deepEqual(Object.keys(d1.items[0]).sort(), ["at", "deviceId", "id", "payload", "reason", "topic"]);
  const next = await (await t.call("GET", `/api/v1/dlq?device=d1&cursor=${d1.next}`, { as: "viewer" }))
    .json();
  assert.equal(next.items.length, 1);
  assert.notEqual(next.items[0].id, d1.items[0].id);
  assert.equal((await t.call("GET", "/api/v1/dlq?device=a/b", { as: "viewer" })).status, 400);
});
