import assert from "node:assert/strict";
import { eventLogContract } from "../../core/testing/event_log_contract.ts";
import { createSqliteEventLog } from "./sqlite_event_log.ts";
import { SqliteLogStorage } from "./sqlite_log_storage.ts";

const tempDb = async () => `${await Deno.makeTempDir({ prefix: "aiot-log-" })}/log.db`;

for (const c of eventLogContract) {
  Deno.test(`EventLog contract [sqlite] › ${c.name}`, async () => {
    const path = await tempDb();
    await c.run({ newLog: () => Promise.resolve(createSqliteEventLog({ path })) });
  });
}

Deno.test("sqlite log keeps appends and committed offsets across a reopen", async () => {
  const path = await tempDb();
  const first = createSqliteEventLog({ path });
  await first.ensureTopics([{ name: "t", partitions: 2 }]);
  await first.append("t", Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })));
  const seen: string[] = [];
  const consumer = first.consume({
    group: "g",
    topics: ["t"],
    handleBatch: (b) => Promise.resolve(void seen.push(...b.records.map((r) => r.value))),
  });
  while (seen.length < 10) await new Promise((r) => setTimeout(r, 10));
  await consumer.stop();
  await first.close();

  const reopened = createSqliteEventLog({ path });
  const acks = await reopened.append("t", [{ key: "k0", value: "after" }]);
  assert.ok(acks[0]!.offset > 0, "offsets continue after reopen");
  const lag = await reopened.lag("g", "t");
  assert.equal(lag.reduce((s, p) => s + p.lag, 0), 1);
  await reopened.close();
});

Deno.test("sqlite retention drops old records and moves the start offset", async () => {
  const path = await tempDb();
  const storage = new SqliteLogStorage(path);
  storage.createTopic("t", 1);
  const message = (ts: number) => ({
    partition: 0,
    key: "k",
    value: "x".repeat(100),
    headers: {},
    timestamp: ts,
  });
  storage.append("t", [message(1000), message(2000), message(3000), message(4000)]);
  assert.equal(storage.applyRetention({ olderThan: 2500 }), 2);
  assert.deepEqual(storage.offsets("t", 0), { start: 2, end: 4 });
  assert.equal(storage.applyRetention({ maxBytesPerPartition: 150 }), 1);
  assert.deepEqual(storage.offsets("t", 0), { start: 3, end: 4 });
  assert.equal(storage.read("t", 0, 0, 10)[0]!.offset, 3);
  storage.close();
});
