/**
 * The live hub outlives its log reader: when the consumer of a topic dies (Kafka away for longer
 * than its retries), the hub starts a new one where it got to, and live clients see neither a gap
 * nor a repeat — instead of an unhandled rejection that ended the API process (found by the
 * faults-under-load suite, infra/faults/).
 */
import assert from "node:assert/strict";
import { createEvent } from "../../core/events/catalog.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import type { EventLog, LogConsumer } from "../../core/log/event_log.ts";
import { createInMemoryEventLog } from "../../core/testing/in_memory_event_log.ts";
import { createLiveHub } from "./live_hub.ts";
import { readSse } from "./_read_sse.ts";

const reading = (value: number) =>
  toLogMessage(createEvent("telemetry.reported", { values: [{ name: "t", value, ts: Date.now() }] }, {
    key: "a",
    source: "test",
  }));

Deno.test("live hub: a consumer that dies is replaced where it stopped; clients see no gap, no repeat", async () => {
  const log = createInMemoryEventLog();
  await log.ensureTopics([{ name: "aiot.telemetry", partitions: 2 }]);
  let kill: ((error: Error) => void) | undefined;
  let consumes = 0;
  // The first consumer can be killed from the test, as a Kafka consumer dies after its retries.
  const dying: EventLog = {
    ...log,
    consume(options) {
      const consumer = log.consume(options);
      if (consumes++ > 0) return consumer;
      const died = new Promise<never>((_, reject) => (kill = reject));
      died.catch(() => {});
      const done = Promise.race([consumer.done, died]);
      died.catch(() => consumer.stop());
      return { ...consumer, done } as LogConsumer;
    },
  };
  const hub = createLiveHub({ log: dying, topics: ["aiot.telemetry"], heartbeatMs: 60_000 });
  await hub.ready;
  const stream = readSse(
    hub.open({
      filter: {},
      signal: new AbortController().signal,
      caller: "test",
      stillAuthorized: () => Promise.resolve(true),
    }),
    6,
    10_000,
  );
  await log.append("aiot.telemetry", [reading(1), reading(2)]);
  await new Promise((r) => setTimeout(r, 50));
  kill!(new Error("Kafka could not consume: No broker available"));
  await log.append("aiot.telemetry", [reading(3), reading(4), reading(5), reading(6)]);
  const frames = await stream;
  assert.deepEqual(frames.map((f) => f.data.data.values[0].value), [1, 2, 3, 4, 5, 6]);
  assert.equal(consumes, 2, "one replacement consumer");
  await hub.stop();
  await log.close();
});
