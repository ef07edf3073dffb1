import assert from "node:assert/strict";
import { createPendingRevocations } from "./pending_revocations.ts";
import type { DirectoryDevice } from "./device_directory.ts";

const cred = (hash: string) => ({ algorithm: "scrypt", hash });
const active = (hash: string): DirectoryDevice => ({ status: "active", credential: cred(hash) });

Deno.test("apply() lays revocations over the directory's answer until it shows them, then drops them", () => {
  const pending = createPendingRevocations();
  pending.add("dev-1", { kind: "credentials_rotated", credential: cred("new"), eventId: "01" });
  pending.add("dev-2", { kind: "decommissioned", eventId: "02" });
  assert.deepEqual(pending.apply("dev-1", active("old")), active("new"));
  assert.deepEqual(pending.apply("dev-2", active("x")), { status: "decommissioned", credential: cred("x") });
  assert.equal(pending.apply("dev-3", active("x"))?.status, "active", "other devices are untouched");
  assert.deepEqual(pending.apply("dev-1", active("new")), active("new"));
  assert.deepEqual(pending.apply("dev-2", { status: "decommissioned" }), { status: "decommissioned" });
  assert.equal(pending.size, 0);
  assert.deepEqual(pending.apply("dev-1", active("old")), active("old"), "the read model is trusted again");
});

Deno.test("add() keeps the later of two rotations whatever the order they arrive in", () => {
  const pending = createPendingRevocations();
  pending.add("dev-1", { kind: "credentials_rotated", credential: cred("second"), eventId: "02" });
  pending.add("dev-1", { kind: "credentials_rotated", credential: cred("first"), eventId: "01" });
  assert.deepEqual(pending.apply("dev-1", active("old")), active("second"));
  assert.deepEqual(pending.apply("dev-1", active("first")), active("second"), "still behind");
});

Deno.test("a revocation the directory never shows is dropped after maxAgeMs", () => {
  const clock = { t: 0 };
  const pending = createPendingRevocations({ maxAgeMs: 1_000, now: () => clock.t });
  pending.add("dev-1", { kind: "decommissioned", eventId: "01" });
  clock.t = 999;
  assert.equal(pending.apply("dev-1", active("x"))?.status, "decommissioned");
  clock.t = 1_000;
  pending.add("dev-2", { kind: "decommissioned", eventId: "02" });
  assert.equal(pending.size, 1, "swept when another is added");
  assert.equal(pending.apply("dev-1", active("x"))?.status, "active");
});
