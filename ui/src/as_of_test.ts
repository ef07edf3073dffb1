import assert from "node:assert/strict";
import { isoOfLocal, localOfMs } from "./as_of.ts";

Deno.test("as_of: a datetime-local value round-trips to the second; empty or invalid is undefined", () => {
  const ms = Date.UTC(2026, 10, 30, 13, 5, 7);
  assert.equal(isoOfLocal(localOfMs(ms)), new Date(ms).toISOString());
  assert.equal(isoOfLocal(localOfMs(ms + 999)), new Date(ms).toISOString());
  assert.equal(isoOfLocal(""), undefined);
  assert.equal(isoOfLocal("not a time"), undefined);
});
