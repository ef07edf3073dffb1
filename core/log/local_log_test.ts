import assert from "node:assert/strict";
import { countEventLoopTicks } from "../testing/event_loop_ticks.ts";
import { createInMemoryEventLog, InMemoryLogStorage } from "../testing/in_memory_event_log.ts";
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

/** A log with one partition of `count` small records. */
async function logOf(count: number, options: Parameters<typeof createInMemoryEventLog>[0] = {}) {
  const log = createInMemoryEventLog(options);
  await log.ensureTopics([{ name: "t", partitions: 1 }]);
  await log.append("t", Array.from({ length: count }, (_, i) => ({ key: "k", value: `v${i}` })));
  return log;
}

Deno.test("replay() yields to the event loop between chunks: timers run during a long replay", async () => {
  const log = await logOf(5_000, { replaySliceMs: 0 });
  const ticks = countEventLoopTicks();
  let read = 0;
  for await (const chunk of log.replay("t", { chunkSize: 100 })) read += chunk.length;
  const turns = ticks.stop();
  assert.equal(read, 5_000);
  // 50 chunks, one turn after each: before the fix the whole replay ran in microtasks (0 turns).
  assert.ok(turns >= 25, `timers ran during the replay (${turns} turns for 50 chunks)`);
  await log.close();
});

Deno.test("replay() stops reading when its signal aborts from outside (a closed connection)", async () => {
  const log = await logOf(5_000, { replaySliceMs: 0 });
  const controller = new AbortController();
  // A timer, like a socket's close event: it can only fire when the replay lets the loop turn.
  setTimeout(() => controller.abort(), 0);
  let read = 0;
  await assert.rejects(async () => {
    for await (const chunk of log.replay("t", { chunkSize: 100, signal: controller.signal })) {
      read += chunk.length;
    }
  }, (error: Error) => error.name === "AbortError");
  assert.ok(read <= 300, `stopped after the abort (${read} of 5000 records read)`);
  await log.close();
});

/** Storage that counts its commit writes. */
class CountingCommits extends InMemoryLogStorage {
  writes = 0;
  override commit(commits: Parameters<InMemoryLogStorage["commit"]>[0]): void {
    this.writes++;
    super.commit(commits);
  }
}

async function consumeOneByOne(commitIntervalMs: number) {
  const storage = new CountingCommits();
  const log = createLocalEventLog(storage, { commitIntervalMs });
  await log.ensureTopics([{ name: "t", partitions: 2 }]);
  let handled = 0;
  const consumer = log.consume({
    group: "g",
    topics: ["t"],
    handleBatch: (b) => (handled += b.records.length, Promise.resolve()),
  });
  await consumer.ready;
  for (let i = 0; i < 40; i++) {
    await log.append("t", [{ key: `k${i}`, value: `v${i}` }]);
    while (handled <= i) await sleep(1);
  }
  // This process reads its own commits before they are written.
  const lag = (await log.lag("g", "t")).reduce((sum, p) => sum + p.lag, 0);
  const writesBeforeStop = storage.writes;
  await consumer.stop();
  const stored = [0, 1].reduce((sum, p) => sum + (storage.committed("g", "t", p) ?? 0), 0);
  await log.close();
  return { lag, writesBeforeStop, stored };
}

Deno.test("local log: batch commits are written together within the commit interval, seen by lag() before, written on stop", async () => {
  const together = await consumeOneByOne(200);
  assert.equal(together.lag, 0);
  assert.ok(together.writesBeforeStop < 10, `40 batches took ${together.writesBeforeStop} commit writes`);
  assert.equal(together.stored, 40, "stop() wrote every handled offset");
  const eachBatch = await consumeOneByOne(0);
  assert.equal(eachBatch.writesBeforeStop, 40, "commitIntervalMs 0 writes each batch's commit");
  assert.equal(eachBatch.stored, 40);
});
