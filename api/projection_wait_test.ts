import assert from "node:assert/strict";
import { createInMemoryReadModelStore } from "../core/testing/in_memory_read_model_store.ts";
import { eventClock } from "../core/testing/read_model_fixtures.ts";
import { waitForProjection } from "./projection_wait.ts";

Deno.test("waitForProjection() resolves true once the checkpoint passed every ack", async () => {
  const readModels = createInMemoryReadModelStore();
  const c = eventClock();
  const event = c.event("device.registered", "d1", {});
  setTimeout(() => {
    readModels.project({
      processor: "readmodels",
      topic: "aiot.device",
      partition: 1,
      events: [event],
      offsets: [4],
    });
  }, 30);
  const acks = [{ partition: 1, offset: 4 }];
  assert.equal(await waitForProjection(readModels, "aiot.device", acks, { pollMs: 5 }), true);
});

Deno.test("waitForProjection() gives up after timeoutMs", async () => {
  const readModels = createInMemoryReadModelStore();
  const started = performance.now();
  const result = await waitForProjection(readModels, "aiot.device", [{ partition: 0, offset: 0 }], {
    timeoutMs: 50,
    pollMs: 10,
  });
  assert.equal(result, false);
  assert.ok(performance.now() - started >= 50);
  assert.equal(
    await waitForProjection(readModels, "aiot.device", [{ partition: 0, offset: 0 }], { timeoutMs: 0 }),
    false,
  );
});
