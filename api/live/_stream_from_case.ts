/**
 * Test kit: `GET /stream?from=` at the hub, on any EventLog (the in-memory fake here, the SQLite
 * log and Kafka in infra/all_in_one/stream_from_e2e_test.ts). Private to the tests.
 */
import assert from "node:assert/strict";
import { createEvent } from "../../core/events/catalog.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import type { EventLog, LogMessage } from "../../core/log/event_log.ts";
import { eventually } from "../../core/testing/eventually.ts";
import { createLiveHub, type LiveHub } from "./live_hub.ts";
import { readSse, type SseFrame } from "./_read_sse.ts";

/** Reading `value` of device `d{value % 6}`, appended at `timestamp` (default: now). */
const reading = (value: number, timestamp?: number): LogMessage => ({
  ...toLogMessage(createEvent("telemetry.reported", { values: [{ name: "n", value, ts: Date.now() }] }, {
    key: `d${value % 6}`,
    source: "test",
  })),
  ...(timestamp === undefined ? {} : { timestamp }),
});

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

export const valueOf = (frame: SseFrame): number => frame.data.data.values[0].value;

export function openStream(hub: LiveHub, options: { from?: number; lastEventId?: string }): Response {
  return hub.open({
    filter: {},
    ...options,
    signal: new AbortController().signal,
    caller: `test-${crypto.randomUUID()}`,
    stillAuthorized: () => Promise.resolve(true),
  });
}

/** Each value once, and each device's values in the order they were appended. */
export function assertOncePerDeviceInOrder(values: number[], expected: number[], what: string): void {
  assert.deepEqual([...values].sort((a, b) => a - b), expected, `${what}: every value once`);
  for (let device = 0; device < 6; device++) {
    const mine = values.filter((v) => v % 6 === device);
    assert.deepEqual(mine, [...mine].sort((a, b) => a - b), `${what}: device d${device} in order`);
  }
}

/**
 * Readings before `from` (never sent), at `from` and later (replayed), appended after the hub
 * started but before the stream opened, and appended while the stream replays: the client gets
 * every reading from `from` on exactly once, in each device's order; the resume token of any of
 * them resumes after it, as a token of a stream opened without `from` does.
 */
export async function streamFromSeamCase(log: EventLog, topics: { telemetry: string; device: string }) {
  await log.ensureTopics([{ name: topics.telemetry, partitions: 3 }, { name: topics.device, partitions: 2 }]);
  const base = Date.now() - 120_000;
  await log.append(topics.telemetry, range(0, 60).map((v) => reading(v, base)));
  await log.append(topics.telemetry, range(100, 400).map((v) => reading(v, base + 60_000)));
  const hub = createLiveHub({ log, topics: [topics.telemetry, topics.device], heartbeatMs: 60_000 });
  try {
    await hub.ready;
    await log.append(topics.telemetry, range(400, 450).map((v) => reading(v)));
    // The replay starts on the next turns of the event loop: the appends below land while it runs.
    const frames = readSse(openStream(hub, { from: base + 60_000 }), 650, 20_000);
    for (let first = 450; first < 750; first += 30) {
      await log.append(topics.telemetry, range(first, first + 30).map((v) => reading(v)));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const got = await frames;
    assert.ok(got.every((f) => f.event === "telemetry.reported"), got.at(-1)?.text ?? "no frames");
    assertOncePerDeviceInOrder(got.map(valueOf), range(100, 750), "from=");

    // The token of the 325th event resumes with exactly the events after it.
    const resumed = await readSse(openStream(hub, { lastEventId: got[324]!.id! }), 325, 20_000);
    assertOncePerDeviceInOrder(
      resumed.map(valueOf),
      got.slice(325).map(valueOf).sort((a, b) => a - b),
      "resumed",
    );
    // A token wins over from (an EventSource reconnects to the same URL with its token).
    const both = await readSse(openStream(hub, { from: base, lastEventId: got[648]!.id! }), 1, 20_000);
    assert.deepEqual(both.map(valueOf), [valueOf(got[649]!)]);
    await eventually("the streams closed", () => hub.clients() === 0);
  } finally {
    await hub.stop();
  }
}

/** A `from` further back than `maxResumeEvents` gets `resume_too_old` and no replay. */
export async function streamFromTooOldCase(log: EventLog, topics: { telemetry: string; device: string }) {
  await log.ensureTopics([{ name: topics.telemetry, partitions: 3 }, { name: topics.device, partitions: 2 }]);
  const base = Date.now() - 120_000;
  await log.append(topics.telemetry, range(0, 600).map((v) => reading(v, base)));
  let replays = 0;
  const counting: EventLog = { ...log, replay: (topic, o) => (replays++, log.replay(topic, o)) };
  const hub = createLiveHub({
    log: counting,
    topics: [topics.telemetry, topics.device],
    heartbeatMs: 60_000,
    maxResumeEvents: 100,
  });
  try {
    await hub.ready;
    const refused = await readSse(openStream(hub, { from: base }), 10);
    assert.deepEqual(refused.map((e) => e.event), ["error"]);
    assert.equal(refused[0]!.data.code, "resume_too_old");
    assert.match(refused[0]!.data.message, /from=.* is more than 100 events behind/);
    assert.equal(replays, 0, "the log was not replayed");
    // Recent enough: the last 10 readings of each partition at most.
    await log.append(topics.telemetry, range(1000, 1006).map((v) => reading(v, base + 60_000)));
    const recent = await readSse(openStream(hub, { from: base + 60_000 }), 6);
    assertOncePerDeviceInOrder(recent.map(valueOf), range(1000, 1006), "recent from=");
  } finally {
    await hub.stop();
  }
}
