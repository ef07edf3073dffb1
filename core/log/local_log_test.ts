import assert from "node:assert/strict";
import { InMemoryLogStorage } from "../testing/in_memory_event_log.ts";
import type { LogRecord } from "./event_log.ts";
import { createLocalEventLog } from "./local_log.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("local log: a consumer sees another writer's appends while its own process keeps appending", async () => {
  const storage = new InMemoryLogStorage();
  const mine = createLocalEventLog(storage, { idleRecheckMs: 50 });
  const other = createLocalEventLog(storage, { idleRecheckMs: 50 });
  await mine.ensureTopics([{ name: "own", partitions: 1 }, { name: "shared", partitions: 1 }]);
  const seen: LogRecord[] = [];
  const consumer = mine.consume({
    group: "g",
    topics: ["own", "shared"],
    handleBatch: (batch) => (seen.push(...batch.records), Promise.resolve()),
  });
  await consumer.ready;
  let appending = true;
  // Own appends every few ms: every wake-up is an own append, none is an idle recheck.
  const own = (async () => {
    for (let i = 0; appending; i++) {
      await mine.append("own", [{ key: "k", value: `own-${i}` }]);
      await sleep(5);
    }
  })();
  await other.append("shared", [{ key: "k", value: "from the other writer" }]);
  const deadline = Date.now() + 2_000;
  while (!seen.some((r) => r.topic === "shared") && Date.now() < deadline) await sleep(10);
  appending = false;
  await own;
  assert.ok(seen.some((r) => r.value === "from the other writer"), "the other writer's record arrived");
  assert.ok(seen.filter((r) => r.topic === "own").length > 0);
  await mine.close();
  await other.close();
});
