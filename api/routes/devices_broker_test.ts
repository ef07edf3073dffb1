/**
 * The registry routes in external broker mode: the broker account follows creation, rotation and
 * decommissioning, and a broker outage is a 503 that records nothing.
 */
import assert from "node:assert/strict";
import { createInMemoryBrokerAccounts } from "../../core/testing/in_memory_broker_accounts.ts";
import { createTestApp } from "../_test_app.ts";

Deno.test("POST /devices, POST /devices/{id}/token and DELETE /devices/{id} drive the broker account", async () => {
  const broker = createInMemoryBrokerAccounts();
  const t = await createTestApp({ brokerAccounts: broker });
  const created = await t.call("POST", "/api/v1/devices", { as: "operator", body: { id: "pump-1" } });
  assert.equal(created.status, 201);
  const { token } = await created.json();
  assert.equal(broker.canPublish("pump-1", { token }), true);

  const rotated = await t.call("POST", "/api/v1/devices/pump-1/token", { as: "operator" });
  assert.equal(rotated.status, 200);
  const { token: next } = await rotated.json();
  assert.equal(broker.canPublish("pump-1", { token }), false, "the old token is refused");
  assert.equal(broker.canPublish("pump-1", { token: next }), true);

  assert.equal((await t.call("DELETE", "/api/v1/devices/pump-1", { as: "operator" })).status, 200);
  assert.equal(broker.canPublish("pump-1", { token: next }), false);
  assert.ok(!broker.calls.some((call) => call.includes(token)), "the broker calls never show a token");
});

Deno.test("a broker outage answers 503 naming the broker and changes nothing", async () => {
  const broker = createInMemoryBrokerAccounts();
  const t = await createTestApp({ brokerAccounts: broker });
  await t.call("POST", "/api/v1/devices", { as: "operator", body: { id: "pump-1" } });
  broker.failWith(new Error("not connected to the MQTT broker at mqtt://mosquitto:1883"));
  const before = t.appended.length;

  const create = await t.call("POST", "/api/v1/devices", { as: "operator", body: { id: "pump-2" } });
  assert.equal(create.status, 503);
  const { error } = await create.json();
  assert.equal(error.code, "infrastructure_failed");
  assert.equal(
    error.message,
    'Cannot create the account of device "pump-2" in the MQTT broker: ' +
      "not connected to the MQTT broker at mqtt://mosquitto:1883",
  );
  assert.equal((await t.call("GET", "/api/v1/devices/pump-2", { as: "viewer" })).status, 404);

  assert.equal((await t.call("POST", "/api/v1/devices/pump-1/token", { as: "operator" })).status, 503);
  assert.equal((await t.call("DELETE", "/api/v1/devices/pump-1", { as: "operator" })).status, 503);
  const device = await (await t.call("GET", "/api/v1/devices/pump-1", { as: "viewer" })).json();
  assert.equal(device.status, "active", "a failed decommissioning can be retried");
  assert.equal(t.appended.length, before, "nothing was appended");

  broker.failWith(undefined);
  assert.equal((await t.call("DELETE", "/api/v1/devices/pump-1", { as: "operator" })).status, 200);
});
