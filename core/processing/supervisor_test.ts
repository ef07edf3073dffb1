import assert from "node:assert/strict";
import { alerting, given, lagOf, readAll, reading, until, withFailingAppends } from "./_runner_test_kit.ts";
import { runProcessor } from "./runner.ts";
import { superviseProcessor } from "./supervisor.ts";

Deno.test("superviseProcessor() starts a processor again after its consumer died, reporting it failed meanwhile", async () => {
  const base = await given([reading("d1", 1)]);
  let refuse = true;
  const log = withFailingAppends(
    base,
    "aiot.alert",
    () => refuse ? new RangeError("message too large") : undefined,
  );
  const reported: string[] = [];
  const restarts: string[] = [];
  const supervised = superviseProcessor(
    () => runProcessor(alerting, { log, hooks: { onHealth: ({ health }) => reported.push(health.state) } }),
    {
      baseDelayMs: 1,
      maxDelayMs: 4,
      onRestart: ({ attempt, delayMs, error }) => {
        restarts.push(`${attempt} ${delayMs} ${(error as Error).message} (${supervised.health().state})`);
        if (attempt === 4) refuse = false; // the log takes the append from the fifth run on
      },
    },
  );
  await supervised.ready;
  await until(async () => (await lagOf(base, "alerting")) === 0);
  assert.deepEqual(supervised.health(), { state: "running" });
  await supervised.stop();
  await supervised.done;
  assert.deepEqual(restarts, [
    "1 1 message too large (failed)",
    "2 2 message too large (failed)",
    "3 4 message too large (failed)",
    "4 4 message too large (failed)",
  ]);
  assert.deepEqual(reported, [...Array(4).fill(["running", "failed"]).flat(), "running"]);
  assert.equal((await readAll(base, "aiot.alert")).length, 1);
  await base.close();
});

Deno.test("superviseProcessor() stop() ends a processor that waits to be restarted", async () => {
  const base = await given([reading("d1", 1)]);
  const log = withFailingAppends(base, "aiot.alert", () => new RangeError("message too large"));
  let starts = 0;
  const supervised = superviseProcessor(() => (starts++, runProcessor(alerting, { log })), {
    baseDelayMs: 60_000,
  });
  await until(() => supervised.health().state === "failed");
  await supervised.stop();
  await supervised.done;
  assert.equal(starts, 1);
  await base.close();
});
