import assert from "node:assert/strict";
import {
  afterAttempt,
  type AttemptOutcome,
  DEFAULT_RETRY_SECONDS,
  MAX_RETRY_AFTER_MS,
  parseRetrySeconds,
  retryAfterMs,
} from "./retry_schedule.ts";

const T = Date.UTC(2026, 0, 1);

/** given `attempts` made so far, when an attempt ends with `outcome` at `now`, then … */
const given = (attempts: number, retrySeconds?: readonly number[]) => ({
  when: (outcome: AttemptOutcome, now = T) =>
    afterAttempt(attempts, outcome, { now, ...(retrySeconds ? { retrySeconds } : {}) }),
});

Deno.test("afterAttempt(): a 2xx delivers, whatever attempt it is", () => {
  for (const status of [200, 202, 204, 299]) {
    assert.deepEqual(given(3).when({ status }), {
      record: { status: "delivered", attempts: 4, lastStatus: status },
    });
  }
});

Deno.test("afterAttempt(): failures walk the default schedule, then fail and stay failed", () => {
  let attempts = 0;
  let now = T;
  const times: number[] = [];
  for (;;) {
    const { record } = given(attempts).when({ status: 500 }, now);
    attempts = record.attempts;
    if (record.status !== "pending") {
      assert.deepEqual(record, { status: "failed", attempts: 8, lastStatus: 500, lastError: "HTTP 500" });
      break;
    }
    times.push((record.nextAttemptAt! - now) / 1000);
    now = record.nextAttemptAt!;
  }
  assert.deepEqual(times, [...DEFAULT_RETRY_SECONDS]);
});

Deno.test("afterAttempt(): an overridden schedule 1,1 makes three attempts", () => {
  const schedule = [1, 1];
  assert.equal(given(0, schedule).when({ error: "timeout" }).record.nextAttemptAt, T + 1000);
  assert.equal(given(1, schedule).when({ error: "timeout" }).record.nextAttemptAt, T + 1000);
  assert.deepEqual(given(2, schedule).when({ error: "timeout" }).record, {
    status: "failed",
    attempts: 3,
    lastError: "timeout",
  });
});

Deno.test("afterAttempt(): 410 Gone fails the delivery and disables the endpoint", () => {
  const after = given(0).when({ status: 410 });
  assert.equal(after.record.status, "failed");
  assert.equal(after.record.lastStatus, 410);
  assert.equal(after.record.nextAttemptAt, undefined);
  assert.ok(after.disableEndpoint);
  assert.equal(given(0).when({ status: 404 }).disableEndpoint, undefined);
});

Deno.test("afterAttempt(): a redirect is a failure (never followed) and is retried", () => {
  const { record } = given(0).when({ status: 301 });
  assert.equal(record.status, "pending");
  assert.match(record.lastError!, /redirect/);
});

Deno.test("afterAttempt(): Retry-After longer than the schedule wins, shorter does not, huge is capped", () => {
  assert.equal(given(0).when({ status: 503, retryAfter: "120" }).record.nextAttemptAt, T + 120_000);
  assert.equal(given(0).when({ status: 429, retryAfter: "1" }).record.nextAttemptAt, T + 5_000);
  const date = new Date(T + 3_600_000).toUTCString();
  assert.equal(given(0).when({ status: 503, retryAfter: date }).record.nextAttemptAt, T + 3_600_000);
  assert.equal(
    given(0).when({ status: 503, retryAfter: String(30 * 24 * 3600) }).record.nextAttemptAt,
    T + MAX_RETRY_AFTER_MS,
  );
  assert.equal(given(0).when({ status: 503, retryAfter: "soon" }).record.nextAttemptAt, T + 5_000);
});

Deno.test("retryAfterMs() reads delay-seconds and HTTP dates; past dates are 0", () => {
  assert.equal(retryAfterMs("30", T), 30_000);
  assert.equal(retryAfterMs(" 0 ", T), 0);
  assert.equal(retryAfterMs(new Date(T + 90_000).toUTCString(), T), 90_000);
  assert.equal(retryAfterMs(new Date(T - 90_000).toUTCString(), T), 0);
  assert.equal(retryAfterMs("-5", T), undefined);
  assert.equal(retryAfterMs(null, T), undefined);
  assert.equal(retryAfterMs(undefined, T), undefined);
});

Deno.test("parseRetrySeconds() reads a list of seconds and refuses anything else", () => {
  assert.deepEqual(parseRetrySeconds("5,300, 1800"), [5, 300, 1800]);
  assert.deepEqual(parseRetrySeconds("0.5"), [0.5]);
  for (const bad of ["", ",", "5,x", "-1", "700000", Array(21).fill("1").join(",")]) {
    assert.throws(() => parseRetrySeconds(bad), RangeError, bad);
  }
});
