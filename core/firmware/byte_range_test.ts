import assert from "node:assert/strict";
import { answerRange } from "./byte_range.ts";

const size = 1000;

Deno.test("answerRange() serves first bytes, a middle range, a suffix and an open end", () => {
  assert.deepEqual(answerRange("bytes=0-99", size), { kind: "partial", start: 0, end: 99 });
  assert.deepEqual(answerRange("bytes=400-599", size), { kind: "partial", start: 400, end: 599 });
  assert.deepEqual(answerRange("bytes=-100", size), { kind: "partial", start: 900, end: 999 });
  assert.deepEqual(answerRange("bytes=500-", size), { kind: "partial", start: 500, end: 999 });
  assert.deepEqual(answerRange("BYTES=10-19", size), { kind: "partial", start: 10, end: 19 });
});

Deno.test("answerRange() clamps an end and a suffix past the size", () => {
  assert.deepEqual(answerRange("bytes=990-5000", size), { kind: "partial", start: 990, end: 999 });
  assert.deepEqual(answerRange("bytes=-5000", size), { kind: "partial", start: 0, end: 999 });
});

Deno.test("answerRange() refuses a start at or past the end and an empty suffix (416)", () => {
  assert.deepEqual(answerRange("bytes=1000-", size), { kind: "unsatisfiable" });
  assert.deepEqual(answerRange("bytes=1000-1001", size), { kind: "unsatisfiable" });
  assert.deepEqual(answerRange("bytes=-0", size), { kind: "unsatisfiable" });
});

Deno.test("answerRange() answers whole for no header, bad syntax, other units, several ranges", () => {
  for (
    const header of [undefined, "bytes=", "bytes=-", "bytes=9-3", "items=0-1", "bytes=0-1,5-9", "bytes=a-b"]
  ) {
    assert.deepEqual(answerRange(header, size), { kind: "full" }, String(header));
  }
});

Deno.test("answerRange() keeps the range only while If-Range matches the strong ETag", () => {
  const etag = `"${"a".repeat(64)}"`;
  assert.deepEqual(answerRange("bytes=5-", size, { etag, ifRange: etag }), {
    kind: "partial",
    start: 5,
    end: 999,
  });
  assert.deepEqual(answerRange("bytes=5-", size, { etag, ifRange: `"${"b".repeat(64)}"` }), { kind: "full" });
  assert.deepEqual(answerRange("bytes=5-", size, { etag, ifRange: "Wed, 21 Oct 2015 07:28:00 GMT" }), {
    kind: "full",
  });
});
