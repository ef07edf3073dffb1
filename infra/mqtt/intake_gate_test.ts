import assert from "node:assert/strict";
import { IntakeGate } from "./intake_gate.ts";

Deno.test("IntakeGate closes above `high`, stays closed until `low`, then calls each waiter once", () => {
  let pending = 0;
  const gate = new IntakeGate(() => pending, { high: 10, low: 4 });
  assert.equal(gate.open, true);
  pending = 11;
  assert.equal(gate.open, false);
  const calls: string[] = [];
  gate.whenOpen(() => calls.push("a"));
  gate.whenOpen(() => calls.push("b"));
  pending = 7; // below high, above low: still closed (hysteresis)
  gate.settled();
  assert.equal(gate.open, false);
  assert.deepEqual(calls, []);
  pending = 4;
  gate.settled();
  assert.equal(gate.open, true);
  assert.deepEqual(calls, ["a", "b"]);
  gate.settled();
  assert.deepEqual(calls, ["a", "b"]);
  assert.equal(gate.waiting, 0);
});
