import assert from "node:assert/strict";
import { createFailedLoginThrottle } from "./failed_login_throttle.ts";

function setup(options: { limit?: number; windowMs?: number; maxKeys?: number } = {}) {
  const clock = { t: 1_000_000 };
  const throttle = createFailedLoginThrottle({ limit: 3, windowMs: 60_000, ...options, now: () => clock.t });
  return { clock, throttle };
}

Deno.test("blockedFor() is 0 until `limit` failures in the window, then the ms until the oldest leaves it", () => {
  const { clock, throttle } = setup();
  for (let i = 0; i < 3; i++) {
    assert.equal(throttle.blockedFor("dev-1"), 0, `after ${i} failures`);
    throttle.fail("dev-1");
    clock.t += 10_000;
  }
  // Failures at t0, t0+10 s, t0+20 s; now t0+30 s: the first leaves the window at t0+60 s.
  assert.equal(throttle.blockedFor("dev-1"), 30_000);
  clock.t += 29_999;
  assert.equal(throttle.blockedFor("dev-1"), 1);
  clock.t += 1;
  assert.equal(throttle.blockedFor("dev-1"), 0, "a sliding window: one failure left it");
  throttle.fail("dev-1");
  assert.equal(throttle.blockedFor("dev-1"), 10_000, "blocked again until the second one leaves");
});

Deno.test("keys are counted apart, and beyond maxKeys the least recently failed are forgotten", () => {
  const { throttle } = setup({ maxKeys: 2 });
  for (let i = 0; i < 3; i++) throttle.fail("a");
  for (let i = 0; i < 3; i++) throttle.fail("b");
  assert.ok(throttle.blockedFor("a") > 0);
  assert.ok(throttle.blockedFor("b") > 0);
  assert.equal(throttle.blockedFor("c"), 0);
  throttle.fail("c");
  assert.equal(throttle.size(), 2, "memory stays bounded");
  assert.equal(throttle.blockedFor("a"), 0, "the stalest key was dropped");
  assert.ok(throttle.blockedFor("b") > 0);
});

Deno.test("a key keeps at most `limit` failure times however often it fails", () => {
  const { throttle } = setup({ limit: 2 });
  for (let i = 0; i < 1000; i++) throttle.fail("flood");
  assert.equal(throttle.failuresOf("flood"), 2);
});
