import assert from "node:assert/strict";
import { createLoginRateLimiter } from "./login_rate_limit.ts";

Deno.test("createLoginRateLimiter() refuses the 11th attempt in a minute with the seconds to wait", () => {
  let t = 1_000_000;
  const limiter = createLoginRateLimiter({ now: () => t });
  for (let i = 0; i < 10; i++) {
    assert.deepEqual(limiter.attempt("10.0.0.1"), { allowed: true });
    t += 1_000;
  }
  assert.deepEqual(limiter.attempt("10.0.0.1"), { allowed: false, retryAfterSeconds: 50 });
  assert.deepEqual(limiter.attempt("10.0.0.2"), { allowed: true }, "other addresses are not affected");
  t += 50_000;
  assert.deepEqual(limiter.attempt("10.0.0.1"), { allowed: true }, "the oldest attempt left the window");
});

Deno.test("createLoginRateLimiter() forgets the stalest address beyond maxAddresses", () => {
  const limiter = createLoginRateLimiter({ limit: 1, maxAddresses: 2, now: () => 0 });
  limiter.attempt("a");
  limiter.attempt("b");
  limiter.attempt("c");
  assert.deepEqual(limiter.attempt("a"), { allowed: true });
  assert.equal(limiter.attempt("c").allowed, false);
});
