import assert from "node:assert/strict";
import type { DomainEvent } from "../events/catalog.ts";
import { ConflictError, InfrastructureError, NotFoundError, ValidationError } from "../errors.ts";
import { createInMemoryBrokerAccounts } from "../testing/in_memory_broker_accounts.ts";
import { createInProcessDeviceIdClaims } from "./device_id_claims.ts";
import {
  decommissionDevice,
  registerDevice,
  type RegistryDeps,
  rotateDeviceToken,
  updateDevice,
} from "./registry.ts";

function registry() {
  const status = new Map<string, "active" | "decommissioned">();
  const appended: DomainEvent[] = [];
  const broker = createInMemoryBrokerAccounts();
  let seq = 0;
  const deps: RegistryDeps = {
    findDevice: (id) => Promise.resolve(status.has(id) ? { status: status.get(id)! } : undefined),
    appendDeviceEvents: (events) => {
      appended.push(...events);
      broker.calls.push(...events.map((e) => `append ${e.type}`));
      for (const e of events) {
        if (e.type === "device.registered") status.set(e.key, "active");
        if (e.type === "device.decommissioned") status.set(e.key, "decommissioned");
      }
      return Promise.resolve();
    },
    generateToken: () => `token-${++seq}`,
    hashSecret: (token) => Promise.resolve({ algorithm: "scrypt", hash: `scrypt$hash-of-${token}-000000` }),
    newDeviceId: () => `dev-${++seq}`,
  };
  return { deps, appended, broker };
}

Deno.test("registerDevice() appends device.registered with only the token's hash", async () => {
  const { deps, appended } = registry();
  const { id, token } = await registerDevice(
    deps,
    { id: "pump-1", name: "Pump", labels: { site: "north" } },
    "admin",
  );
  assert.equal(id, "pump-1");
  assert.equal(appended.length, 1);
  const event = appended[0]!;
  assert.equal(event.type, "device.registered");
  assert.equal(event.key, "pump-1");
  assert.ok(!JSON.stringify(event).includes(`"${token}"`), "the token never enters the log");
  assert.deepEqual(event.data, {
    name: "Pump",
    labels: { site: "north" },
    credential: { algorithm: "scrypt", hash: `scrypt$hash-of-${token}-000000` },
    by: "admin",
  });
});

Deno.test("registerDevice() refuses a duplicate id (409) and a bad id (400), and generates ids", async () => {
  const { deps } = registry();
  await registerDevice(deps, { id: "a" }, "admin");
  await assert.rejects(registerDevice(deps, { id: "a" }, "admin"), ConflictError);
  await assert.rejects(registerDevice(deps, { id: "no/slash" }, "admin"), ValidationError);
  assert.match((await registerDevice(deps, {}, "admin")).id, /^dev-\d+$/);
});

Deno.test("rotate, update and decommission need an active device", async () => {
  const { deps, appended } = registry();
  await assert.rejects(rotateDeviceToken(deps, "ghost", "admin"), NotFoundError);
  await registerDevice(deps, { id: "d1" }, "admin");
  const { token } = await rotateDeviceToken(deps, "d1", "ops");
  assert.equal(appended.at(-1)!.type, "device.credentials.rotated");
  assert.ok(!JSON.stringify(appended.at(-1)).includes(`"${token}"`));
  await updateDevice(deps, "d1", { name: "renamed" }, "ops");
  await assert.rejects(updateDevice(deps, "d1", {}, "ops"), ValidationError);
  await decommissionDevice(deps, "d1", "ops", "broken");
  await assert.rejects(rotateDeviceToken(deps, "d1", "ops"), ConflictError);
  assert.deepEqual(appended.map((e) => e.type), [
    "device.registered",
    "device.credentials.rotated",
    "device.updated",
    "device.decommissioned",
  ]);
});

Deno.test("with broker accounts, each operation changes the broker before it appends its event", async () => {
  const { deps, broker } = registry();
  const withBroker = { ...deps, brokerAccounts: broker };
  const { token: first } = await registerDevice(withBroker, { id: "d1" }, "admin");
  assert.equal(broker.canPublish("d1", { token: first }), true, "the device can connect with its token");
  const { token: second } = await rotateDeviceToken(withBroker, "d1", "ops");
  assert.equal(broker.canPublish("d1", { token: first }), false, "the old token is refused");
  assert.equal(broker.canPublish("d1", { token: second }), true);
  await updateDevice(withBroker, "d1", { name: "renamed" }, "ops");
  await decommissionDevice(withBroker, "d1", "ops");
  assert.equal(broker.canPublish("d1", { token: second }), false);
  assert.equal(broker.canPublish("d1", "certificate"), false);
  assert.deepEqual(broker.calls, [
    "provision d1",
    "append device.registered",
    "provision d1",
    "append device.credentials.rotated",
    "append device.updated",
    "disable d1",
    "append device.decommissioned",
  ]);
});

Deno.test("a broker failure is a 503 naming the broker, and nothing is appended", async () => {
  const { deps, appended, broker } = registry();
  const withBroker = { ...deps, brokerAccounts: broker };
  await registerDevice(withBroker, { id: "d1" }, "admin");
  broker.failWith(new Error("dynamic security did not answer createClient in 5000 ms"));
  const refused = (error: unknown) => {
    assert.ok(error instanceof InfrastructureError);
    assert.equal(error.status, 503);
    assert.equal(error.retriable, true);
    assert.match(
      error.message,
      /^Cannot .* of device "d\d" in the MQTT broker: dynamic security did not answer/,
    );
    return true;
  };
  await assert.rejects(registerDevice(withBroker, { id: "d2" }, "admin"), refused);
  await assert.rejects(rotateDeviceToken(withBroker, "d1", "ops"), refused);
  await assert.rejects(decommissionDevice(withBroker, "d1", "ops"), refused);
  assert.deepEqual(appended.map((e) => e.type), ["device.registered"]);
  // A duplicate is refused before the broker is asked: its account keeps its token.
  broker.failWith(undefined);
  await assert.rejects(registerDevice(withBroker, { id: "d1" }, "admin"), ConflictError);
  assert.equal(
    broker.calls.filter((c) => c === "provision d1").length,
    2,
    "the first one and the failed rotation",
  );
});

Deno.test("registerDevice() with claims: the id is claimed before the check; a failure releases it", async () => {
  const { deps, appended, broker } = registry();
  const withClaims = { ...deps, brokerAccounts: broker, deviceIdClaims: createInProcessDeviceIdClaims() };
  // Two at once: the second finds the first one's claim although nothing is appended yet.
  const results = await Promise.allSettled([
    registerDevice(withClaims, { id: "d1" }, "admin"),
    registerDevice(withClaims, { id: "d1" }, "admin"),
  ]);
  assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
  assert.ok(
    (results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason instanceof ConflictError,
  );
  broker.failWith(new Error("broker down"));
  await assert.rejects(registerDevice(withClaims, { id: "d2" }, "admin"), InfrastructureError);
  broker.failWith(undefined);
  await registerDevice(withClaims, { id: "d2" }, "admin");
  assert.deepEqual(appended.map((e) => e.key), ["d1", "d2"], "the retry needed no wait for the lease");
});
