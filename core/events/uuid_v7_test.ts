import assert from "node:assert/strict";
import { isUuidV7, uuidv7, uuidV7Time } from "./uuid_v7.ts";

Deno.test("uuidv7() returns a lowercase RFC 9562 version 7 id", () => {
  const id = uuidv7();
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(id[14], "7", "version nibble");
  assert.ok("89ab".includes(id[19] ?? ""), "variant bits 0b10");
  assert.ok(isUuidV7(id));
});

Deno.test("uuidv7() encodes the given time in the first 48 bits", () => {
  const now = Date.UTC(2025, 0, 31, 12, 0, 0, 123);
  const id = uuidv7(now);
  assert.equal(
    id.slice(0, 13),
    `${now.toString(16).padStart(12, "0").slice(0, 8)}-${now.toString(16).slice(-4)}`,
  );
  assert.equal(uuidV7Time(id), now);
  assert.equal(uuidV7Time(uuidv7(0)), 0);
  assert.equal(uuidV7Time(uuidv7(2 ** 48 - 1)), 2 ** 48 - 1);
});

Deno.test("uuidv7() ids sort in creation order, also within one millisecond", () => {
  const ids = Array.from({ length: 10_000 }, () => uuidv7());
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
});

Deno.test("uuidv7() stays ordered when more ids than the counter holds share a millisecond", () => {
  const now = Date.now() + 60_000;
  const ids = Array.from({ length: 5_000 }, () => uuidv7(now));
  assert.deepEqual([...ids].sort(), ids);
  assert.ok(uuidV7Time(ids.at(-1) ?? "") > now, "borrows the next millisecond");
});

Deno.test("uuidv7() keeps order when the clock steps back a little", () => {
  const now = Date.now() + 120_000;
  const first = uuidv7(now);
  const second = uuidv7(now - 5);
  assert.ok(second > first);
});

Deno.test("uuidv7() uses a time far in the past as given", () => {
  const past = Date.UTC(2020, 0, 1);
  assert.equal(uuidV7Time(uuidv7(past)), past);
});

Deno.test("uuidv7() rejects times outside 48 bits or not integer", () => {
  for (const bad of [-1, 2 ** 48, 1.5, Number.NaN]) {
    assert.throws(() => uuidv7(bad), RangeError);
  }
});

Deno.test("isUuidV7() rejects other versions, variants and uppercase", () => {
  const id = uuidv7();
  assert.equal(isUuidV7(id.toUpperCase()), false);
  assert.equal(isUuidV7(crypto.randomUUID()), false, "v4");
  assert.equal(isUuidV7(`${id.slice(0, 19)}c${id.slice(20)}`), false, "variant 0b11");
  assert.equal(isUuidV7(id.slice(1)), false);
  assert.equal(isUuidV7(42), false);
  assert.throws(() => uuidV7Time("nope"), TypeError);
});
