import assert from "node:assert/strict";
import { createEvent, eventCatalog } from "./catalog.ts";
import { needsRedaction, redactForClients } from "./redaction.ts";

const credential = { algorithm: "scrypt" as const, hash: "scrypt$14$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo" };

Deno.test("redactForClients() drops the credential of device.registered and device.credentials.rotated", () => {
  const registered = createEvent("device.registered", { name: "Pump", credential, by: "admin" }, {
    key: "d1",
    source: "api",
  });
  const rotated = createEvent("device.credentials.rotated", { credential }, { key: "d1", source: "api" });
  assert.deepEqual(redactForClients(registered)?.data, { name: "Pump", by: "admin" });
  assert.deepEqual(redactForClients(rotated)?.data, {});
  assert.deepEqual(registered.data.credential, credential, "the input is left as it was");
  assert.ok(!JSON.stringify(redactForClients(registered)).includes(credential.hash));
});

Deno.test("redactForClients() returns events without secrets as they are; withholds unknown types", () => {
  const reading = createEvent("telemetry.reported", { values: [{ name: "t", value: 1, ts: 0 }] }, {
    key: "d1",
    source: "ingest",
  });
  assert.equal(redactForClients(reading), reading);
  assert.equal(redactForClients({ ...reading, type: "webhook.defined", data: { secret: "s" } }), undefined);
});

Deno.test("needsRedaction() is false only for known types without secret fields", () => {
  assert.equal(needsRedaction("telemetry.reported"), false);
  assert.equal(needsRedaction("device.registered"), true);
  assert.equal(needsRedaction("device.credentials.rotated"), true);
  assert.equal(needsRedaction("webhook.defined"), true, "unknown");
  assert.equal(needsRedaction(undefined), true, "no type header");
});

// A guard for new event types: a field named like a secret must be declared as one (or this
// pattern made more precise), so a new schema cannot start leaking by omission.
const SECRET_LIKE = /secret|password|passphrase|credential|token|hash|private|api_?key|signing/i;

Deno.test("every field of the catalog named like a secret is declared in secretFields", () => {
  for (const [type, definition] of Object.entries(eventCatalog)) {
    const shape = (definition.schema as unknown as { shape?: Record<string, unknown> }).shape ?? {};
    for (const field of Object.keys(shape)) {
      if (SECRET_LIKE.test(field)) {
        assert.ok(definition.secretFields.includes(field), `${type}: "${field}" looks secret: declare it`);
      }
    }
    for (const field of definition.secretFields) {
      assert.ok(field in shape, `${type}: secret field "${field}" is not in the schema`);
    }
  }
});
