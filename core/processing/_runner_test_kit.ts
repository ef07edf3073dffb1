/** Test support for the runner's tests: a log given some events, reads, waits and fault injection. */
import { createEvent } from "../events/catalog.ts";
import { encodeEvent } from "../events/codec.ts";
import type { EventEnvelope } from "../events/envelope.ts";
import type { EventLog, LogRecord } from "../log/event_log.ts";
import type { ProcessorDefinition } from "./processor.ts";
import { createInMemoryEventLog } from "../testing/in_memory_event_log.ts";

export const TOPICS = [{ name: "aiot.telemetry", partitions: 2 }, { name: "aiot.alert", partitions: 2 }, {
  name: "aiot.dlq",
  partitions: 1,
}];

export function reading(device: string, value: number) {
  return createEvent("telemetry.reported", { values: [{ name: "temperature", value, ts: Date.now() }] }, {
    key: device,
    source: "ingest",
  });
}

/** An in-memory log holding `events` on `aiot.telemetry`. */
export async function given(events: EventEnvelope[], topic = "aiot.telemetry"): Promise<EventLog> {
  const log = createInMemoryEventLog();
  await log.ensureTopics(TOPICS);
  await log.append(topic, events.map((e) => ({ key: e.key, value: encodeEvent(e) })));
  return log;
}

export async function readAll(log: EventLog, topic: string): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const chunk of log.replay(topic)) out.push(...chunk);
  return out;
}

/** Waits for `predicate`; the deadline only turns a hang into a failure, it is not what is tested. */
export async function until(predicate: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error("condition not met within 30 s");
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const lagOf = async (log: EventLog, group: string, topic = "aiot.telemetry") =>
  (await log.lag(group, topic)).reduce((sum, p) => sum + p.lag, 0);

/** `log`, except that appends to `topic` throw `fault()` while it returns an error. */
export function withFailingAppends(log: EventLog, topic: string, fault: () => Error | undefined): EventLog {
  return {
    ensureTopics: (topics) => log.ensureTopics(topics),
    append(to, messages) {
      const error = to === topic ? fault() : undefined;
      return error ? Promise.reject(error) : log.append(to, messages);
    },
    consume: (options) => log.consume(options),
    replay: (topic, options) => log.replay(topic, options),
    endOffsets: (topic) => log.endOffsets(topic),
    offsetsForTimestamp: (topic, timestamp) => log.offsetsForTimestamp(topic, timestamp),
    lag: (group, topic) => log.lag(group, topic),
    close: () => log.close(),
  };
}

/** Raises an alert for every reading. */
export const alerting: ProcessorDefinition = {
  name: "alerting",
  topics: ["aiot.telemetry"],
  handle: (events) => ({
    append: [{
      topic: "aiot.alert",
      events: events.map((e) =>
        createEvent("alert.raised", {
          alertId: crypto.randomUUID(),
          ruleId: "r1",
          deviceId: e.key,
          ruleVersion: 1,
          severity: "warning",
          raisedAt: 0,
          value: 1,
          message: "hot",
        }, { key: e.key, source: "rules" })
      ),
    }],
  }),
};
