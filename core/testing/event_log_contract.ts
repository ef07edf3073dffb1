/**
 * The one contract every EventLog passes: the in-memory fake, the embedded SQLite log and Kafka.
 * Each adapter's test file registers the cases with its own factory:
 *
 * ```ts
 * for (const c of eventLogContract) Deno.test(`EventLog contract [sqlite] › ${c.name}`, () => c.run(factory));
 * ```
 */
import assert from "node:assert/strict";
import type { EventLog, LogMessage, LogRecord } from "../log/event_log.ts";
import { oldestRecordTime } from "../log/oldest_record.ts";

export interface EventLogFactory {
  /** A connected log. The contract closes it. Topics it creates have unique names. */
  newLog(): Promise<EventLog>;
}

export interface ContractCase {
  name: string;
  run(factory: EventLogFactory): Promise<void>;
}

const unique = (label: string) => `contract.${label}.${crypto.randomUUID().slice(0, 8)}`;

function messages(count: number, keyOf: (i: number) => string, size = 200): LogMessage[] {
  const pad = "x".repeat(Math.max(0, size - 40));
  return Array.from({ length: count }, (_, i) => ({ key: keyOf(i), value: JSON.stringify({ i, pad }) }));
}

const indexOf = (r: LogRecord): number => (JSON.parse(r.value) as { i: number }).i;

async function withLog(factory: EventLogFactory, fn: (log: EventLog) => Promise<void>): Promise<void> {
  const log = await factory.newLog();
  try {
    await fn(log);
  } finally {
    await log.close();
  }
}

async function replayAll(log: EventLog, topic: string, from?: { timestamp: number }): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const chunk of log.replay(topic, from ? { from } : {})) out.push(...chunk);
  return out;
}

/** Resolves when `predicate` holds, polling every 20 ms; rejects after `ms`. */
async function eventually(predicate: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const eventLogContract: ContractCase[] = [
  {
    name: "append() acknowledges offsets in order and endOffsets() counts them",
    run: (f) =>
      withLog(f, async (log) => {
        const topic = unique("acks");
        await log.ensureTopics([{ name: topic, partitions: 3 }]);
        await log.ensureTopics([{ name: topic, partitions: 3 }]); // idempotent
        const acks = await log.append(topic, messages(30, (i) => `device-${i % 5}`));
        assert.equal(acks.length, 30);
        const byPartition = new Map<number, number[]>();
        for (const ack of acks) {
          byPartition.set(ack.partition, [...(byPartition.get(ack.partition) ?? []), ack.offset]);
        }
        for (const offsets of byPartition.values()) {
          assert.deepEqual(
            offsets,
            [...offsets].sort((a, b) => a - b),
          );
        }
        const ends = await log.endOffsets(topic);
        assert.equal(ends.length, 3);
        assert.equal(ends.reduce((sum, p) => sum + (p.end - p.start), 0), 30);
      }),
  },
  {
    name: "one key's messages are consumed in append order, each once",
    run: (f) =>
      withLog(f, async (log) => {
        const topic = unique("order");
        await log.ensureTopics([{ name: topic, partitions: 4 }]);
        for (let round = 0; round < 5; round++) {
          await log.append(
            topic,
            messages(400, (i) => `device-${i % 20}`).map((m, i) => ({
              ...m,
              value: JSON.stringify({ i: round * 400 + i }),
            })),
          );
        }
        const seen: LogRecord[] = [];
        const consumer = log.consume({
          group: unique("g"),
          topics: [topic],
          maxBatchSize: 97,
          handleBatch: (batch) => Promise.resolve(void seen.push(...batch.records)),
        });
        await eventually(() => seen.length >= 2000, "2000 records");
        await consumer.stop();
        assert.equal(seen.length, 2000);
        assert.equal(new Set(seen.map(indexOf)).size, 2000);
        const perKey = new Map<string, number[]>();
        for (const r of seen) perKey.set(r.key, [...(perKey.get(r.key) ?? []), indexOf(r)]);
        assert.equal(perKey.size, 20);
        for (const [key, order] of perKey) {
          assert.deepEqual(order, [...order].sort((a, b) => a - b), `order of ${key}`);
        }
      }),
  },
  {
    name: "a consumer that dies before committing loses nothing: the next member re-reads the batch",
    run: (f) =>
      withLog(f, async (log) => {
        const topic = unique("crash");
        const group = unique("g");
        await log.ensureTopics([{ name: topic, partitions: 2 }]);
        await log.append(topic, messages(200, (i) => `k${i % 7}`));
        const committedByFirst: number[] = [];
        let batches = 0;
        const first = log.consume({
          group,
          topics: [topic],
          maxBatchSize: 10,
          handleBatch: (batch) => {
            if (++batches === 4) return Promise.reject(new Error("killed mid-batch"));
            committedByFirst.push(...batch.records.map(indexOf));
            return Promise.resolve();
          },
        });
        await assert.rejects(first.done, /killed mid-batch/);
        assert.equal(committedByFirst.length, 30);
        const second: number[] = [];
        const restarted = log.consume({
          group,
          topics: [topic],
          handleBatch: (batch) => Promise.resolve(void second.push(...batch.records.map(indexOf))),
        });
        await eventually(() => second.length >= 170, "the 170 uncommitted records");
        await restarted.stop();
        assert.deepEqual(
          [...committedByFirst, ...second].sort((a, b) => a - b),
          Array.from({ length: 200 }, (_, i) => i),
        );
      }),
  },
  {
    name: "two members of one group share the partitions and together see everything",
    run: (f) =>
      withLog(f, async (log) => {
        const topic = unique("share");
        const group = unique("g");
        await log.ensureTopics([{ name: topic, partitions: 4 }]);
        const got = [new Map<number, number>(), new Map<number, number>()] as const;
        const members = got.map((into) =>
          log.consume({
            group,
            topics: [topic],
            handleBatch: (b) =>
              Promise.resolve(void b.records.forEach((r) => into.set(indexOf(r), b.partition))),
          })
        );
        await Promise.all(members.map((m) => m.ready));
        await log.append(topic, messages(400, (i) => `device-${i}`));
        await eventually(() => new Set([...got[0].keys(), ...got[1].keys()]).size === 400, "all 400 records");
        await Promise.all(members.map((m) => m.stop()));
        assert.ok(
          got[0].size > 0 && got[1].size > 0,
          `both members got work: ${got[0].size} / ${got[1].size}`,
        );
        const partitionsOf = (m: Map<number, number>) => new Set(m.values());
        for (const p of partitionsOf(got[0])) {
          assert.ok(!partitionsOf(got[1]).has(p), `partition ${p} read by both`);
        }
      }),
  },
  {
    name: "two groups each see every message",
    run: (f) =>
      withLog(f, async (log) => {
        const topic = unique("groups");
        await log.ensureTopics([{ name: topic, partitions: 2 }]);
        await log.append(topic, messages(150, (i) => `d${i % 9}`));
        const counts = [0, 0];
        const consumers = [0, 1].map((n) =>
          log.consume({
            group: unique(`g${n}`),
            topics: [topic],
            handleBatch: (b) => Promise.resolve(void (counts[n]! += b.records.length)),
          })
        );
        await eventually(() => counts[0] === 150 && counts[1] === 150, "150 records in each group");
        await Promise.all(consumers.map((c) => c.stop()));
        assert.deepEqual(counts, [150, 150]);
      }),
  },
  {
    name: "replay and consume start at a timestamp; replay stops before toTimestamp",
    run: (f) =>
      withLog(f, async (log) => {
        const topic = unique("time");
        await log.ensureTopics([{ name: topic, partitions: 3 }]);
        const base = Date.now() - 3_600_000;
        const stamp = (from: number, ts: number) =>
          messages(60, (i) => `d${i % 6}`).map((m, i) => ({
            ...m,
            value: JSON.stringify({ i: from + i }),
            timestamp: ts,
          }));
        await log.append(topic, stamp(0, base));
        await log.append(topic, stamp(60, base + 60_000));
        await log.append(topic, stamp(120, base + 120_000));
        const middle = (await replayAll(log, topic, { timestamp: base + 60_000 })).map(indexOf);
        assert.deepEqual(middle.sort((a, b) => a - b), Array.from({ length: 120 }, (_, i) => i + 60));
        const bounded: number[] = [];
        for await (
          const chunk of log.replay(topic, { from: { timestamp: base + 1 }, toTimestamp: base + 120_000 })
        ) {
          bounded.push(...chunk.map(indexOf));
        }
        assert.deepEqual(bounded.sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => i + 60));
        const consumed: number[] = [];
        const consumer = log.consume({
          group: unique("g"),
          topics: [topic],
          from: { timestamp: base + 120_000 },
          handleBatch: (b) => Promise.resolve(void consumed.push(...b.records.map(indexOf))),
        });
        await eventually(() => consumed.length >= 60, "60 records from the timestamp");
        await consumer.stop();
        assert.deepEqual(consumed.sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => i + 120));
      }),
  },
  {
    name: "offsetsForTimestamp() gives each partition's first offset at or after a time, else its end",
    run: (f) =>
      withLog(f, async (log) => {
        const topic = unique("offsets-at");
        await log.ensureTopics([{ name: topic, partitions: 3 }]);
        const base = Date.now() - 3_600_000;
        const stamped = (ts: number) =>
          messages(30, (i) => `d${i % 6}`).map((m) => ({ ...m, timestamp: ts }));
        await log.append(topic, stamped(base));
        await log.append(topic, stamped(base + 60_000));
        const records = await replayAll(log, topic);
        const ends = await log.endOffsets(topic);
        for (const at of [base - 1, base + 1, base + 60_000, base + 60_001]) {
          const expected = ends.map(({ partition, end }) => ({
            partition,
            offset: Math.min(
              end,
              ...records.filter((r) => r.partition === partition && r.timestamp >= at).map((r) => r.offset),
            ),
          }));
          assert.deepEqual(await log.offsetsForTimestamp(topic, at), expected, `at base + ${at - base}`);
        }
      }),
  },
  {
    name: "replay() with a key gives that key's records only, in append order",
    run: (f) =>
      withLog(f, async (log) => {
        const topic = unique("replay-key");
        await log.ensureTopics([{ name: topic, partitions: 4 }]);
        await log.append(topic, messages(200, (i) => `dev-${i % 9}`));
        for (const key of ["dev-0", "dev-4", "dev-8", "absent"]) {
          const got: LogRecord[] = [];
          for await (const chunk of log.replay(topic, { key, chunkSize: 7 })) got.push(...chunk);
          assert.ok(got.every((r) => r.key === key));
          const expected = Array.from({ length: 200 }, (_, i) => i).filter((i) => `dev-${i % 9}` === key);
          assert.deepEqual(got.map(indexOf), expected, key);
        }
      }),
  },
  {
    name: '"latest" skips what was there; lag() counts what the group has not committed',
    run: (f) =>
      withLog(f, async (log) => {
        const topic = unique("latest");
        const group = unique("g");
        await log.ensureTopics([{ name: topic, partitions: 2 }]);
        await log.append(topic, messages(50, (i) => `d${i}`));
        assert.equal((await log.lag(group, topic)).reduce((s, p) => s + p.lag, 0), 50);
        const seen: number[] = [];
        const consumer = log.consume({
          group,
          topics: [topic],
          from: "latest",
          handleBatch: (b) => Promise.resolve(void seen.push(...b.records.map(indexOf))),
        });
        await consumer.ready;
        await log.append(
          topic,
          messages(20, (i) => `d${i}`).map((m, i) => ({ ...m, value: JSON.stringify({ i: 100 + i }) })),
        );
        await eventually(() => seen.length >= 20, "20 new records");
        await consumer.stop();
        assert.deepEqual(seen.sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => 100 + i));
        const lag = await log.lag(group, topic);
        assert.equal(lag.reduce((s, p) => s + p.lag, 0), 0);
      }),
  },
  {
    name: "commitOffsets: false reads everything and commits nothing; the group's next consumer starts over",
    run: (f) =>
      withLog(f, async (log) => {
        const topic = unique("nocommit");
        const group = unique("g");
        await log.ensureTopics([{ name: topic, partitions: 2 }]);
        await log.append(topic, messages(30, (i) => `d${i}`));
        const read = async () => {
          const seen: number[] = [];
          const consumer = log.consume({
            group,
            topics: [topic],
            maxBatchSize: 7,
            commitOffsets: false,
            handleBatch: (b) => Promise.resolve(void seen.push(...b.records.map(indexOf))),
          });
          await eventually(() => seen.length >= 30, "all 30 records");
          await consumer.stop();
          return seen.sort((a, b) => a - b);
        };
        assert.deepEqual(await read(), Array.from({ length: 30 }, (_, i) => i));
        assert.equal((await log.lag(group, topic)).reduce((s, p) => s + p.lag, 0), 30, "nothing committed");
        assert.deepEqual(await read(), Array.from({ length: 30 }, (_, i) => i), "read again from the start");
      }),
  },
  {
    name: "stop() finishes the running batch and commits it",
    run: (f) =>
      withLog(f, async (log) => {
        const topic = unique("stop");
        const group = unique("g");
        await log.ensureTopics([{ name: topic, partitions: 1 }]);
        await log.append(topic, messages(100, () => "one-device"));
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let entered = false;
        const handled: number[] = [];
        const consumer = log.consume({
          group,
          topics: [topic],
          maxBatchSize: 40,
          handleBatch: async (b) => {
            entered = true;
            await gate;
            handled.push(...b.records.map(indexOf));
          },
        });
        await eventually(() => entered, "the first batch");
        const stopped = consumer.stop();
        release();
        await stopped;
        assert.deepEqual(handled, Array.from({ length: 40 }, (_, i) => i));
        const rest: number[] = [];
        const next = log.consume({
          group,
          topics: [topic],
          handleBatch: (b) => Promise.resolve(void rest.push(...b.records.map(indexOf))),
        });
        await eventually(() => rest.length >= 60, "the 60 remaining records");
        await next.stop();
        assert.deepEqual(rest, Array.from({ length: 60 }, (_, i) => 40 + i));
      }),
  },
  {
    name: "oldestRecordTime() is the earliest first record over the partitions, undefined when empty",
    run: (f) =>
      withLog(f, async (log) => {
        const topic = unique("oldest");
        await log.ensureTopics([{ name: topic, partitions: 3 }]);
        assert.equal(await oldestRecordTime(log, topic), undefined);
        const t0 = Date.UTC(2025, 0, 1);
        // Keys spread over the partitions; each partition's first record is one of the first five.
        await log.append(
          topic,
          Array.from({ length: 5 }, (_, i) => ({
            key: `k${i}`,
            value: String(i),
            timestamp: t0 + (5 - i) * 1000,
          })),
        );
        await log.append(topic, messages(30, (i) => `k${i}`));
        const firsts = new Map<number, number>();
        for (const r of await replayAll(log, topic)) {
          if (!firsts.has(r.partition)) firsts.set(r.partition, r.timestamp);
        }
        assert.equal(await oldestRecordTime(log, topic), Math.min(...firsts.values()));
        assert.ok((await oldestRecordTime(log, topic))! <= t0 + 5000);
      }),
  },
  {
    name: "headers, keys and timestamps round-trip",
    run: (f) =>
      withLog(f, async (log) => {
        const topic = unique("headers");
        await log.ensureTopics([{ name: topic, partitions: 1 }]);
        const ts = Date.now() - 5000;
        await log.append(topic, [{
          key: "dev-ü",
          value: '{"i":0,"s":"grüße ✓"}',
          headers: {
            type: "telemetry.reported",
            traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
          },
          timestamp: ts,
        }]);
        const [record] = await replayAll(log, topic);
        assert.ok(record);
        assert.equal(record.key, "dev-ü");
        assert.equal(record.value, '{"i":0,"s":"grüße ✓"}');
        assert.equal(record.timestamp, ts);
        assert.equal(record.headers["type"], "telemetry.reported");
        assert.equal(
          record.headers["traceparent"],
          "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        );
      }),
  },
  {
    name: "a batch of 100k events is appended and replayed completely",
    run: (f) =>
      withLog(f, async (log) => {
        const topic = unique("big");
        await log.ensureTopics([{ name: topic, partitions: 4 }]);
        const acks = await log.append(topic, messages(100_000, (i) => `device-${i % 1000}`));
        assert.equal(acks.length, 100_000);
        let count = 0;
        const seen = new Uint8Array(100_000);
        for await (const chunk of log.replay(topic, { chunkSize: 5000 })) {
          for (const r of chunk) seen[indexOf(r)] = 1;
          count += chunk.length;
        }
        assert.equal(count, 100_000);
        assert.equal(seen.reduce((s, x) => s + x, 0), 100_000);
      }),
  },
  {
    name: "1 MB payloads are stored and read back intact",
    run: (f) =>
      withLog(f, async (log) => {
        const topic = unique("mb");
        await log.ensureTopics([{ name: topic, partitions: 1 }]);
        const payloads = ["a", "b", "c"].map((c, i) => JSON.stringify({ i, blob: c.repeat(1024 * 1024) }));
        await log.append(topic, payloads.map((value) => ({ key: "k", value })));
        const back = await replayAll(log, topic);
        assert.equal(back.length, 3);
        back.forEach((r, i) => assert.ok(r.value === payloads[i], `payload ${i} intact`));
      }),
  },
  {
    name: "concurrent producers all land, each producer's key order kept",
    run: (f) =>
      withLog(f, async (log) => {
        const topic = unique("concurrent");
        await log.ensureTopics([{ name: topic, partitions: 3 }]);
        await Promise.all([0, 1, 2, 3].map(async (producer) => {
          for (let round = 0; round < 5; round++) {
            await log.append(
              topic,
              Array.from({ length: 200 }, (_, i) => ({
                key: `p${producer}-d${i % 4}`,
                value: JSON.stringify({ i: producer * 1000 + round * 200 + i }),
              })),
            );
          }
        }));
        const all = await replayAll(log, topic);
        assert.equal(all.length, 4000);
        assert.equal(new Set(all.map(indexOf)).size, 4000);
        const perKey = new Map<string, number[]>();
        for (const r of all) perKey.set(r.key, [...(perKey.get(r.key) ?? []), indexOf(r)]);
        for (const [key, order] of perKey) assert.deepEqual(order, [...order].sort((a, b) => a - b), key);
      }),
  },
];
