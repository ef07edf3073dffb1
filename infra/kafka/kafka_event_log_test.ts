// Runs against the real broker of `infra/local/engines.sh start kafka` (or AIOT_TEST_KAFKA_BROKERS);
// a missing broker fails the tests, it does not skip them.
import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { InfrastructureError } from "../../core/errors.ts";
import type { EventLog, LogRecord } from "../../core/log/event_log.ts";
import { eventLogContract } from "../../core/testing/event_log_contract.ts";
import { createKafkaEventLog, kafkaPartitionForKey } from "./mod.ts";
import { planProduceRequests } from "./kafka_producer.ts";

const brokers = (Deno.env.get("AIOT_TEST_KAFKA_BROKERS") ?? "127.0.0.1:19092").split(",");
// One quick probe, so that without a broker every test fails at once instead of after retries.
let brokerAnswers: Promise<void> | undefined;

/** A Kafka log that deletes the topics it created when closed, so test runs leave no topics behind. */
async function newLog(): Promise<EventLog> {
  brokerAnswers ??= createKafkaEventLog({ brokers, retries: 1, logLevel: "nothing" }).then((log) =>
    log.close()
  );
  await brokerAnswers;
  const log = await createKafkaEventLog({ brokers, clientId: "aiot-test", logLevel: "error" });
  const created = new Set<string>();
  return {
    ...log,
    ensureTopics(topics) {
      for (const t of topics) created.add(t.name);
      return log.ensureTopics(topics);
    },
    async close() {
      await log.close();
      if (created.size === 0) return;
      const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        await admin.deleteTopics({ topics: [...created] });
      } finally {
        await admin.disconnect();
      }
    },
  };
}
const unique = (label: string) => `test.kafka.${label}.${crypto.randomUUID().slice(0, 8)}`;

for (const c of eventLogContract) {
  Deno.test(`EventLog contract [kafka] › ${c.name}`, () => c.run({ newLog }));
}

async function withLog(fn: (log: EventLog) => Promise<void>): Promise<void> {
  const log = await newLog();
  try {
    await fn(log);
  } finally {
    await log.close();
  }
}

async function replayAll(log: EventLog, topic: string): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const chunk of log.replay(topic)) out.push(...chunk);
  return out;
}

Deno.test("createKafkaEventLog() fails with a retriable InfrastructureError when nothing listens", async () => {
  const error = await createKafkaEventLog({ brokers: ["127.0.0.1:1"], retries: 0, logLevel: "nothing" })
    .then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof InfrastructureError, `got ${error}`);
  assert.equal(error.retriable, true);
  assert.match(error.message, /127\.0\.0\.1:1/);
});

Deno.test("createKafkaEventLog() does not trust a socket that accepts but never answers", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) accepted.push(conn);
  })();
  try {
    const error = await createKafkaEventLog({
      brokers: [`127.0.0.1:${listener.addr.port}`],
      retries: 0,
      connectionTimeoutMs: 500,
      requestTimeoutMs: 500,
      logLevel: "nothing",
    }).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof InfrastructureError, `got ${error}`);
    assert.equal(error.retriable, true);
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const conn of accepted) conn.close();
  }
});

Deno.test("envelope metadata headers and traceparent survive append, consume and replay", async () => {
  await withLog(async (log) => {
    const topic = unique("envelope");
    await log.ensureTopics([{ name: topic, partitions: 3 }]);
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const time = Date.now() - 60_000;
    const events = Array.from({ length: 12 }, (_, i) => ({
      key: `device-${i % 4}`,
      value: JSON.stringify({ id: `0190-${i}`, type: "telemetry.reported", v: 1, data: { i } }),
      headers: {
        id: `0190-${i}`,
        type: "telemetry.reported",
        v: "1",
        traceparent,
        "content-type": "application/json",
      },
      timestamp: time + i,
    }));
    const acks = await log.append(topic, events);
    const consumed: LogRecord[] = [];
    const consumer = log.consume({
      group: unique("g"),
      topics: [topic],
      handleBatch: (b) => Promise.resolve(void consumed.push(...b.records)),
    });
    const deadline = Date.now() + 30_000;
    while (consumed.length < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await consumer.stop();
    const replayed = await replayAll(log, topic);
    for (const records of [consumed, replayed]) {
      assert.equal(records.length, 12);
      for (const r of records) {
        const i = (JSON.parse(r.value) as { data: { i: number } }).data.i;
        assert.deepEqual(r.headers, events[i]!.headers);
        assert.equal(r.key, events[i]!.key);
        assert.equal(r.timestamp, time + i);
        assert.deepEqual({ partition: r.partition, offset: r.offset }, acks[i]);
        assert.equal(r.partition, kafkaPartitionForKey(r.key, 3));
      }
    }
  });
});

Deno.test("a 10k-message append is split into produce requests under the broker limit", async () => {
  const value = (i: number) => JSON.stringify({ i, pad: "p".repeat(2500) });
  const messages = Array.from({ length: 10_000 }, (_, i) => ({ key: "one-device", value: value(i) }));
  const limit = 4 * 1024 * 1024;
  const requests = planProduceRequests(messages, {
    partitionOf: () => 0,
    defaultTimestamp: Date.now(),
    maxRequestBytes: limit,
  });
  assert.ok(requests.length >= 6, `${requests.length} requests for ~25 MB`);
  assert.deepEqual(requests.flatMap((r) => r.indexes), messages.map((_, i) => i));
  for (const request of requests) {
    const bytes = request.messages.reduce((sum, m) => sum + String(m.value).length + 10 + 32, 0);
    assert.ok(bytes <= limit, `request of ${bytes} bytes`);
  }
  await withLog(async (log) => {
    // One partition gets all ~25 MB: as a single record batch it would exceed the topic's
    // max.message.bytes (16 MiB) and the broker would refuse it.
    const topic = unique("split");
    await log.ensureTopics([{ name: topic, partitions: 1 }]);
    const acks = await log.append(topic, messages);
    assert.deepEqual(acks, messages.map((_, offset) => ({ partition: 0, offset })));
    assert.deepEqual(await log.endOffsets(topic), [{ partition: 0, start: 0, end: 10_000 }]);
    let count = 0;
    for await (const chunk of log.replay(topic, { chunkSize: 2000 })) {
      for (const r of chunk) assert.equal(r.value.length === value(r.offset).length, true);
      count += chunk.length;
    }
    assert.equal(count, 10_000);
  });
});

Deno.test("a rejected handler is called once: nothing committed, no redelivery, done rejects", async () => {
  await withLog(async (log) => {
    const topic = unique("reject");
    const group = unique("g");
    await log.ensureTopics([{ name: topic, partitions: 2 }]);
    await log.append(topic, Array.from({ length: 50 }, (_, i) => ({ key: `d${i}`, value: String(i) })));
    let calls = 0;
    const consumer = log.consume({
      group,
      topics: [topic],
      handleBatch: () => {
        calls++;
        return Promise.reject(new Error("projection down"));
      },
    });
    await assert.rejects(consumer.done, /projection down/);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(calls, 1);
    const lag = await log.lag(group, topic);
    assert.equal(lag.reduce((sum, p) => sum + p.lag, 0), 50);
  });
});

Deno.test("append() to a topic that does not exist fails with a RangeError", async () => {
  await withLog(async (log) => {
    await assert.rejects(log.append(unique("missing"), [{ key: "k", value: "v" }]), RangeError);
  });
});

Deno.test("messages stamped hours ahead or a year back are accepted and found by time", async () => {
  await withLog(async (log) => {
    const topic = unique("clock");
    await log.ensureTopics([{ name: topic, partitions: 1 }]);
    const ahead = Date.now() + 6 * 3_600_000;
    const back = Date.now() - 365 * 86_400_000;
    await log.append(topic, [{ key: "k", value: "back", timestamp: back }, {
      key: "k",
      value: "ahead",
      timestamp: ahead,
    }]);
    const found: LogRecord[] = [];
    for await (const chunk of log.replay(topic, { from: { timestamp: ahead } })) found.push(...chunk);
    assert.deepEqual(found.map((r) => [r.value, r.timestamp]), [["ahead", ahead]]);
  });
});

Deno.test("abort signals, an abandoned replay and close() stop consumers and replays", async () => {
  const log = await newLog();
  const topic = unique("close");
  await log.ensureTopics([{ name: topic, partitions: 2 }]);
  await log.append(topic, Array.from({ length: 20_000 }, (_, i) => ({ key: `d${i % 50}`, value: `v${i}` })));

  for await (const chunk of log.replay(topic, { chunkSize: 100 })) {
    assert.equal(chunk.length, 100);
    break; // the consumer behind it stops while more chunks wait in its queue
  }

  const aborter = new AbortController();
  let seen = 0;
  const aborted = log.consume({
    group: unique("g"),
    topics: [topic],
    signal: aborter.signal,
    handleBatch: (b) => Promise.resolve(void (seen += b.records.length)),
  });
  await aborted.ready;
  aborter.abort();
  await aborted.done;

  const running = log.consume({ group: unique("g"), topics: [topic], handleBatch: () => Promise.resolve() });
  await running.ready;
  const replay = log.replay(topic, { chunkSize: 10 })[Symbol.asyncIterator]();
  assert.equal((await replay.next()).value?.length, 10);
  await log.close();
  await running.done;
  await assert.rejects(async () => {
    while (!(await replay.next()).done) { /* drain what was queued before close() */ }
  }, InfrastructureError);
});

Deno.test("a member joining mid-stream takes over partitions without losing records", async () => {
  await withLog(async (log) => {
    const topic = unique("rebalance");
    const group = unique("g");
    await log.ensureTopics([{ name: topic, partitions: 4 }]);
    await log.append(
      topic,
      Array.from({ length: 2000 }, (_, i) => ({ key: `d${i % 40}`, value: String(i) })),
    );
    const seen = [new Set<string>(), new Set<string>()] as const;
    const member = (into: Set<string>) =>
      log.consume({
        group,
        topics: [topic],
        maxBatchSize: 50,
        handleBatch: async (b) => {
          await new Promise((r) => setTimeout(r, 100));
          for (const r of b.records) into.add(r.value);
        },
      });
    const first = member(seen[0]);
    const deadline = Date.now() + 60_000;
    const wait = async (done: () => boolean) => {
      while (!done()) {
        assert.ok(Date.now() < deadline, `stuck at ${seen[0].size} + ${seen[1].size}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await wait(() => seen[0].size >= 300);
    const second = member(seen[1]);
    await wait(() => new Set([...seen[0], ...seen[1]]).size === 2000);
    await Promise.all([first.stop(), second.stop()]);
    assert.ok(seen[1].size > 0, "the second member got partitions");
    assert.equal((await log.lag(group, topic)).reduce((sum, p) => sum + p.lag, 0), 0);
  });
});
