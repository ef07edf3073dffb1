import assert from "node:assert/strict";
import { InfrastructureError } from "../errors.ts";
import { alerting, given, lagOf, readAll, reading, until, withFailingAppends } from "./_runner_test_kit.ts";
import { runProcessor } from "./runner.ts";

const NOW = Date.parse("2026-12-01T08:00:00.000Z");

Deno.test("runProcessor() retries an infrastructure failure until it succeeds, backing off up to maxDelayMs, and never dead-letters it", async () => {
  const log = await given([reading("d1", 1)]);
  let calls = 0;
  const delays: number[] = [];
  const running = runProcessor({
    name: "down",
    topics: ["aiot.telemetry"],
    handle() {
      if (++calls <= 12) throw new InfrastructureError("PostgreSQL is down", { retriable: true });
    },
  }, {
    log,
    dlqTopic: "aiot.dlq",
    baseDelayMs: 1,
    maxDelayMs: 8,
    hooks: { onRetry: ({ delayMs }) => delays.push(delayMs) },
  });
  await until(async () => (await lagOf(log, "down")) === 0 || (await readAll(log, "aiot.dlq")).length > 0);
  await running.stop();
  assert.equal((await readAll(log, "aiot.dlq")).length, 0, "nothing dead-lettered");
  assert.equal(calls, 13);
  assert.deepEqual(delays, [1, 2, 4, 8, 8, 8, 8, 8, 8, 8, 8, 8]);
  await log.close();
});

Deno.test("runProcessor() reports itself stalled while it retries and running once it recovers", async () => {
  const log = await given([reading("d1", 1)]);
  let down = true;
  let attempts = 0;
  const reported: string[] = [];
  const running = runProcessor({
    name: "readmodels",
    topics: ["aiot.telemetry"],
    handle() {
      attempts++;
      if (down) throw new InfrastructureError("connect ECONNREFUSED 127.0.0.1:15432", { retriable: true });
    },
  }, {
    log,
    dlqTopic: "aiot.dlq",
    baseDelayMs: 1,
    maxDelayMs: 1,
    now: () => NOW,
    hooks: { onHealth: ({ processor, health }) => reported.push(`${processor}: ${health.state}`) },
  });
  await until(() => attempts >= 3);
  const stalled = running.health();
  assert.equal(stalled.state, "stalled");
  assert.ok(stalled.state === "stalled");
  assert.equal(stalled.since, NOW);
  assert.equal(stalled.reason, "connect ECONNREFUSED 127.0.0.1:15432");
  assert.ok(stalled.attempts >= 2);
  down = false;
  await until(async () => (await lagOf(log, "readmodels")) === 0);
  assert.deepEqual(running.health(), { state: "running" });
  await running.stop();
  const changes = reported.filter((state, i) => state !== reported[i - 1]); // stalled again at each retry
  assert.deepEqual(changes, ["readmodels: running", "readmodels: stalled", "readmodels: running"]);
  await log.close();
});

Deno.test("runProcessor() retries an append of its outputs until the log takes it", async () => {
  const base = await given([reading("d1", 1)]);
  let failures = 3;
  const log = withFailingAppends(
    base,
    "aiot.alert",
    () =>
      failures-- > 0
        ? new InfrastructureError("Kafka: no leader for aiot.alert", { retriable: true })
        : undefined,
  );
  let died: unknown;
  const running = runProcessor(alerting, { log, dlqTopic: "aiot.dlq", baseDelayMs: 1 });
  running.done.catch((error) => died = error);
  await until(async () => died !== undefined || (await lagOf(log, "alerting")) === 0);
  await running.stop();
  assert.equal(died, undefined, "the consumer did not die");
  assert.equal((await readAll(base, "aiot.alert")).length, 1);
  assert.equal((await readAll(base, "aiot.dlq")).length, 0);
  await base.close();
});

Deno.test("runProcessor() reports failed when its consumer dies on an append the log refuses for good", async () => {
  const base = await given([reading("d1", 1)]);
  const log = withFailingAppends(
    base,
    "aiot.alert",
    () => new RangeError("message exceeds max.message.bytes"),
  );
  const reported: string[] = [];
  const running = runProcessor(alerting, {
    log,
    dlqTopic: "aiot.dlq",
    now: () => NOW,
    hooks: { onHealth: ({ health }) => reported.push(health.state) },
  });
  await assert.rejects(running.done, /exceeds max.message.bytes/);
  assert.deepEqual(running.health(), {
    state: "failed",
    since: NOW,
    reason: "message exceeds max.message.bytes",
  });
  assert.deepEqual(reported, ["running", "failed"]);
  assert.equal(await lagOf(base, "alerting"), 1, "nothing committed");
  await base.close();
});
