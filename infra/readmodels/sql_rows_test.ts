import assert from "node:assert/strict";
import { chunkSizes } from "./sql_rows.ts";

Deno.test("chunkSizes() uses full chunks, then powers of two, covering every row", () => {
  assert.deepEqual(chunkSizes(1000, 4285), [512, 256, 128, 64, 32, 8]);
  assert.deepEqual(chunkSizes(9000, 4285), [4285, 4285, 256, 128, 32, 8, 4, 2]);
  assert.deepEqual(chunkSizes(0, 10), []);
  for (const n of [1, 7, 513, 12_345]) assert.equal(chunkSizes(n, 1000).reduce((a, b) => a + b, 0), n);
});
