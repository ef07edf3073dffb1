import assert from "node:assert/strict";
import { createVerifiedTokens } from "./verified_tokens.ts";

Deno.test("verified tokens: a match needs the stored hash it was verified against", () => {
  const tokens = createVerifiedTokens(10, () => 0);
  tokens.remember("dev-1", "hash-1", "token-1");
  assert.equal(tokens.matches("dev-1", "hash-1", "token-1"), true);
  assert.equal(tokens.matches("dev-1", "hash-2", "token-1"), false, "the directory shows another hash");
  assert.equal(tokens.matches("dev-2", "hash-1", "token-1"), false);
});

Deno.test("recentlyVerified() trusts only the newest token of a device, and only within maxAgeMs", () => {
  const clock = { t: 0 };
  const tokens = createVerifiedTokens(10, () => clock.t);
  tokens.remember("dev-1", "hash-old", "token-old");
  clock.t = 10;
  tokens.remember("dev-1", "hash-new", "token-new");
  assert.equal(tokens.recentlyVerified("dev-1", "token-new", 100), true);
  assert.equal(
    tokens.recentlyVerified("dev-1", "token-old", 100),
    false,
    "an older token outlived a newer one",
  );
  clock.t = 111;
  assert.equal(tokens.recentlyVerified("dev-1", "token-new", 100), false);
  tokens.remember("dev-1", "hash-new", "token-new"); // confirmed again by the directory
  assert.equal(tokens.recentlyVerified("dev-1", "token-new", 100), true);
});

Deno.test("verified tokens: the least recently used device is dropped past maxDevices", () => {
  const tokens = createVerifiedTokens(2, () => 0);
  tokens.remember("dev-1", "h", "t");
  tokens.remember("dev-2", "h", "t");
  tokens.remember("dev-1", "h", "t");
  tokens.remember("dev-3", "h", "t");
  assert.deepEqual(["dev-1", "dev-2", "dev-3"].map((id) => tokens.matches(id, "h", "t")), [
    true,
    false,
    true,
  ]);
});
