import assert from "node:assert/strict";
import { DEFAULT_STATE_LIMITS, stateLimitViolation } from "./state_limits.ts";

Deno.test("stateLimitViolation() refuses a document too deep before serializing it, then one too large", () => {
  const limits = { maxStateBytes: 20, maxStateDepth: 2 };
  assert.equal(stateLimitViolation({ a: { b: 1 } }, limits, "state"), undefined);
  assert.equal(stateLimitViolation({ a: [[1]] }, limits, "state"), "state is nested more than 2 levels deep");
  assert.equal(
    stateLimitViolation({ a: "x".repeat(20) }, limits, "state"),
    "state is 28 bytes serialized, limit 20",
  );
  assert.equal(
    stateLimitViolation({ a: "é".repeat(7) }, limits, "state"),
    "state is 22 bytes serialized, limit 20",
  );
  assert.deepEqual(DEFAULT_STATE_LIMITS, { maxStateBytes: 65_536, maxStateDepth: 16 });
});
