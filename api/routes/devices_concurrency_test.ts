/**
 * Concurrent registrations of one id. The hash of the token is held back until every request
 * either reached it or was answered, so without a claim on the id all of them pass the registry
 * check before any appends (the race, made deterministic), and with one the losers are answered
 * before the winner goes on.
 */
import assert from "node:assert/strict";
import { createTestApp } from "../_test_app.ts";

const CALLS = 10;

/** Holds every `hashSecret` call once armed, until `arrived + answered` reaches `CALLS`. */
function hashGate() {
  let armed = false;
  let arrived = 0;
  let answered = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const check = () => arrived + answered >= CALLS && open();
  return {
    arm: () => (armed = true),
    answeredOne: () => (answered++, check()),
    async hashSecret(secret: string) {
      if (armed) {
        arrived++;
        check();
        await opened;
      }
      return { algorithm: "scrypt" as const, hash: `test$${btoa(secret)}` };
    },
  };
}

Deno.test("POST /devices: ten concurrent registrations of one id answer one 201 and nine 409s", async () => {
  const gate = hashGate();
  const t = await createTestApp({ hashSecret: gate.hashSecret });
  gate.arm();
  const responses = await Promise.all(
    Array.from(
      { length: CALLS },
      () =>
        t.call("POST", "/api/v1/devices", { as: "operator", body: { id: "twin" } }).finally(gate.answeredOne),
    ),
  );
  const statuses = responses.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, ...Array(CALLS - 1).fill(409)]);
  const registered = t.appended.filter((e) => e.type === "device.registered");
  assert.equal(registered.length, 1, "one device.registered event");
  const winner = await responses.find((r) => r.status === 201)!.json();
  const stored = (registered[0]!.data as { credential: { hash: string } }).credential;
  assert.equal(stored.hash, `test$${btoa(winner.token)}`, "the answered token is the stored one");
  for (const loser of responses.filter((r) => r.status === 409)) {
    assert.equal((await loser.json()).error.code, "conflict");
  }
});
