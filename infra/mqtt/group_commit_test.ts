import assert from "node:assert/strict";
import type { EventLog, LogMessage } from "../../core/log/event_log.ts";
import { createInMemoryEventLog } from "../../core/testing/in_memory_event_log.ts";
import { createGroupCommitAppender } from "./group_commit.ts";

async function values(log: EventLog, topic: string): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of log.replay(topic)) out.push(...chunk.map((r) => r.value));
  return out;
}

Deno.test("append() batches concurrent messages into few appends and keeps their order", async () => {
  const log = createInMemoryEventLog();
  await log.ensureTopics([{ name: "t", partitions: 1 }]);
  const calls: number[] = [];
  const counted: EventLog = { ...log, append: (topic, m) => (calls.push(m.length), log.append(topic, m)) };
  const appender = createGroupCommitAppender(counted, { maxBatch: 100 });
  const sent = Array.from({ length: 1000 }, (_, i) => String(i));
  await Promise.all(sent.map((value) => appender.append("t", { key: "dev-1", value })));
  assert.deepEqual(await values(log, "t"), sent);
  assert.ok(calls.length <= 11, `${calls.length} appends`);
  assert.equal(appender.pending, 0);
  await log.close();
});

Deno.test("append() resolves only after the batch is durable", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const log = { append: async () => (await gate, []) } as unknown as EventLog;
  const appender = createGroupCommitAppender(log, { maxDelayMs: 0 });
  let done = false;
  const appended = appender.append("t", { key: "k", value: "v" }).then(() => done = true);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(done, false);
  assert.equal(appender.pending, 1);
  release();
  await appended;
  assert.equal(appender.pending, 0);
});

Deno.test("append() fails the failed batch and everything queued behind it on that topic", async () => {
  let attempt = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const appended: LogMessage[] = [];
  const log = {
    append: async (_topic: string, messages: LogMessage[]) => {
      if (attempt++ === 0) {
        await gate;
        throw new Error("disk full");
      }
      appended.push(...messages);
      return [];
    },
  } as unknown as EventLog;
  const appender = createGroupCommitAppender(log, { maxDelayMs: 0, maxBatch: 1 });
  const first = appender.append("t", { key: "k", value: "1" });
  await new Promise((resolve) => setTimeout(resolve, 5));
  const second = appender.append("t", { key: "k", value: "2" });
  release();
  await assert.rejects(first, /disk full/);
  await assert.rejects(second, /disk full/);
  await appender.append("t", { key: "k", value: "3" });
  assert.deepEqual(appended.map((m) => m.value), ["3"]);
  assert.equal(appender.pending, 0);
});

Deno.test("flush() appends what is queued without waiting for the delay", async () => {
  const log = createInMemoryEventLog();
  await log.ensureTopics([{ name: "t", partitions: 1 }]);
  const appender = createGroupCommitAppender(log, { maxDelayMs: 60_000 });
  const done = appender.append("t", { key: "k", value: "v" });
  await appender.flush();
  await done;
  assert.deepEqual(await values(log, "t"), ["v"]);
  await log.close();
});
