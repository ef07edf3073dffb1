/**
 * The runner with a stateful processor: `init` before the first batch, `persist` after the
 * outputs are appended and before the commit, ticks never between a batch and its `persist`, and
 * an outage of the state store retried like any other.
 */
import assert from "node:assert/strict";
import type { ProcessorDefinition } from "./processor.ts";
import { runProcessor } from "./runner.ts";
import { given, lagOf, reading, until } from "./_runner_test_kit.ts";

Deno.test("runProcessor() calls init first, then per batch: handle, append, persist, commit", async () => {
  const log = await given([reading("d1", 1), reading("d1", 2), reading("d1", 3)]);
  const steps: string[] = [];
  const processor: ProcessorDefinition = {
    name: "stateful",
    topics: ["aiot.telemetry"],
    init: () => (steps.push("init"), Promise.resolve()),
    handle: (events) => (steps.push(`handle ${events.length}`), {
      append: [{ topic: "aiot.alert", events: [reading("d1", 99)] }],
    }),
    async persist() {
      const appended = (await log.endOffsets("aiot.alert")).reduce((n, p) => n + p.end, 0);
      steps.push(`persist after ${appended} appended, lag ${await lagOf(log, "stateful")}`);
    },
  };
  const running = runProcessor(processor, { log });
  await until(async () => (await lagOf(log, "stateful")) === 0);
  await running.stop();
  assert.deepEqual(steps, ["init", "handle 3", "persist after 1 appended, lag 3"]);
});

Deno.test("runProcessor() never runs a tick between a stateful processor's batch and its persist", async () => {
  const log = await given([]);
  const steps: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const processor: ProcessorDefinition = {
    name: "ticking",
    topics: ["aiot.telemetry"],
    handle: () => void steps.push("handle"),
    async persist() {
      steps.push("persist start");
      if (steps.filter((s) => s === "persist start").length === 1) await held;
      steps.push("persist end");
    },
    tick: () => void steps.push("tick"),
  };
  const running = runProcessor(processor, { log, tickIntervalMs: 5 });
  await running.ready;
  await log.append("aiot.telemetry", [{ key: "d1", value: JSON.stringify(reading("d1", 1)) }]);
  await until(() => steps.includes("persist start"));
  await new Promise((r) => setTimeout(r, 50)); // ticks are due meanwhile
  const duringPersist = steps.slice(steps.indexOf("handle"));
  release();
  await until(() =>
    steps.includes("persist end") && steps.lastIndexOf("tick") > steps.indexOf("persist end")
  );
  await running.stop();
  assert.deepEqual(duringPersist, ["handle", "persist start"]);
});

Deno.test("runProcessor() retries a persist that fails with a retriable error, then commits", async () => {
  const log = await given([reading("d1", 1)]);
  let failures = 2;
  let saved = 0;
  const processor: ProcessorDefinition = {
    name: "flaky-state",
    topics: ["aiot.telemetry"],
    handle: () => {},
    persist() {
      if (failures-- > 0) {
        return Promise.reject(Object.assign(new Error("state store away"), { retriable: true }));
      }
      saved++;
      return Promise.resolve();
    },
  };
  const running = runProcessor(processor, { log, baseDelayMs: 1 });
  await until(async () => (await lagOf(log, "flaky-state")) === 0);
  await running.stop();
  assert.equal(saved, 1);
});
