import assert from "node:assert/strict";
import { createInMemoryEventLog } from "../../core/testing/in_memory_event_log.ts";
import { instrument } from "./instrumentation.ts";
import { lagCheck, probe, processorsCheck } from "./readiness.ts";

const NOW = Date.parse("2026-12-01T08:00:00.000Z");

Deno.test("processorsCheck() is not ready while a processor is stalled on an outage or dead, and ready again once it runs", () => {
  const { hooks, healthOf } = instrument(createInMemoryEventLog());
  hooks.onHealth!({ processor: "timeseries", health: { state: "running" } });
  hooks.onHealth!({ processor: "readmodels", health: { state: "running" } });
  assert.deepEqual(processorsCheck(healthOf()), { name: "processors", ok: true });

  hooks.onHealth!({
    processor: "readmodels",
    health: { state: "stalled", since: NOW, attempts: 12, reason: "connect ECONNREFUSED 127.0.0.1:15432" },
  });
  hooks.onHealth!({
    processor: "commands",
    health: { state: "failed", since: NOW + 1000, reason: "message exceeds max.message.bytes" },
  });
  assert.deepEqual(processorsCheck(healthOf()), {
    name: "processors",
    ok: false,
    detail:
      "readmodels stalled since 2026-12-01T08:00:00.000Z (12 failed attempts): connect ECONNREFUSED 127.0.0.1:15432; " +
      "commands failed at 2026-12-01T08:00:01.000Z: message exceeds max.message.bytes",
  });

  hooks.onHealth!({ processor: "readmodels", health: { state: "running" } });
  hooks.onHealth!({ processor: "commands", health: { state: "running" } });
  assert.deepEqual(processorsCheck(healthOf()), { name: "processors", ok: true });
});

Deno.test("probe() fails a check that does not answer within its timeout, instead of hanging /readyz", async () => {
  const never = () => new Promise<never>(() => {});
  assert.deepEqual(await probe("readmodels (postgresql)", never, 10), {
    name: "readmodels (postgresql)",
    ok: false,
    detail: "no answer within 10 ms",
  });
  assert.deepEqual(await probe("log (sqlite)", () => Promise.resolve()), { name: "log (sqlite)", ok: true });
  assert.deepEqual(
    await probe("timeseries (mongodb)", () => Promise.reject(new Error("connection closed"))),
    {
      name: "timeseries (mongodb)",
      ok: false,
      detail: "connection closed",
    },
  );
});

Deno.test("lagCheck() names the processors that are too far behind", () => {
  assert.deepEqual(lagCheck(new Map([["timeseries", 10], ["readmodels", 5000]]), 1000), {
    name: "projector lag",
    ok: false,
    detail: "readmodels is 5000 events behind (max 1000)",
  });
  assert.deepEqual(lagCheck(new Map([["timeseries", 10]]), 1000), { name: "projector lag", ok: true });
});
