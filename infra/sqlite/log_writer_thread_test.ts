import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { isRetriable } from "../../core/errors.ts";
import type { StoredMessage } from "../../core/log/local_log_storage.ts";
import { startLogWriterThread } from "./log_writer_thread.ts";
import { SqliteLogStorage } from "./sqlite_log_storage.ts";

const tempDb = async () => `${await Deno.makeTempDir({ prefix: "aiot-writer-" })}/log.db`;

const messages = (count: number, partition = 0): StoredMessage[] =>
  Array.from(
    { length: count },
    (_, i) => ({ partition, key: `k${i}`, value: `v${i}`, headers: {}, timestamp: 1000 + i }),
  );

Deno.test("log writer thread: appends land in the order sent, visible to another connection once resolved", async () => {
  const path = await tempDb();
  const storage = new SqliteLogStorage(path);
  storage.createTopic("t", 2);
  const writer = startLogWriterThread(path);
  const acks = await Promise.all([
    writer.append("t", messages(3, 0)),
    writer.append("t", messages(2, 1)),
    writer.append("t", messages(2, 0)),
  ]);
  assert.deepEqual(acks, [[0, 1, 2], [0, 1], [3, 4]]);
  assert.deepEqual(storage.offsets("t", 0), { start: 0, end: 5 });
  assert.deepEqual(storage.read("t", 0, 3, 10).map((r) => r.value), ["v0", "v1"]);
  await writer.close();
  storage.close();
});

Deno.test("log writer thread: close() waits for every append sent before it", async () => {
  const path = await tempDb();
  const storage = new SqliteLogStorage(path);
  storage.createTopic("t", 1);
  const writer = startLogWriterThread(path);
  const sent = Array.from({ length: 20 }, () => writer.append("t", messages(50)));
  await writer.close();
  assert.equal((await Promise.all(sent)).length, 20);
  assert.equal(storage.offsets("t", 0).end, 1000);
  storage.close();
});

Deno.test("log writer thread: bad input fails as not retriable, and the thread goes on", async () => {
  const path = await tempDb();
  const storage = new SqliteLogStorage(path);
  storage.createTopic("t", 1);
  const writer = startLogWriterThread(path);
  const error = await writer.append("missing", messages(1)).catch((e) => e);
  assert.match(String(error), /Unknown topic "missing"/);
  assert.equal(isRetriable(error), false);
  assert.deepEqual(await writer.append("t", messages(1)), [0]);
  await writer.close();
  storage.close();
});

Deno.test("log writer thread: a write lock held past the busy timeout fails as retriable; the next append lands", async () => {
  const path = await tempDb();
  const storage = new SqliteLogStorage(path);
  storage.createTopic("t", 1);
  const writer = startLogWriterThread(path);
  await writer.append("t", messages(1)); // the writer's connection is open (busy timeout 5 s)
  const blocker = new DatabaseSync(path);
  blocker.exec("BEGIN IMMEDIATE");
  const failed = writer.append("t", messages(1)).catch((e) => e);
  const error = await failed;
  blocker.exec("ROLLBACK");
  blocker.close();
  assert.equal(isRetriable(error), true, String(error));
  assert.match(String(error), /log write failed/);
  assert.deepEqual(await writer.append("t", messages(1)), [1]);
  await writer.close();
  storage.close();
});

Deno.test("log writer thread: retention deletes run on the thread", async () => {
  const path = await tempDb();
  const storage = new SqliteLogStorage(path);
  storage.createTopic("t", 1);
  const writer = startLogWriterThread(path);
  await writer.append("t", messages(10));
  assert.equal(await writer.deleteOlderThan("t", 1004, 100), 4);
  assert.equal(await writer.applyRetention({ maxBytesPerPartition: 16 }), 2);
  assert.deepEqual(storage.offsets("t", 0), { start: 6, end: 10 });
  await writer.close();
  storage.close();
});
