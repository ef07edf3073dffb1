import assert from "node:assert/strict";
import { eventually } from "./eventually.ts";

Deno.test("eventually() resolves with the first value that is not undefined or false", async () => {
  let calls = 0;
  assert.equal(await eventually("three calls", () => (++calls < 3 ? false : calls), { intervalMs: 1 }), 3);
  assert.equal(await eventually("zero", () => 0), 0, "0 and empty strings are values");
});

Deno.test("eventually() fails naming what it waited for once the deadline passed", async () => {
  await assert.rejects(
    eventually("never", () => undefined, { timeoutMs: 20, intervalMs: 5 }),
    /Timed out waiting for never/,
  );
});
