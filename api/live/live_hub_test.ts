import assert from "node:assert/strict";
import { createEvent } from "../../core/events/catalog.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import { countEventLoopTicks } from "../../core/testing/event_loop_ticks.ts";
import { createInMemoryEventLog } from "../../core/testing/in_memory_event_log.ts";
import type { LiveFilter } from "../deps.ts";
import { createLiveHub, type LiveHub, type LiveHubOptions } from "./live_hub.ts";
import { encodeToken, slot } from "./resume_token.ts";
import { readSse, type SseFrame } from "./_read_sse.ts";

const TOPICS = ["aiot.telemetry", "aiot.device"];

const reading = (device: string, value: number) =>
  toLogMessage(createEvent("telemetry.reported", { values: [{ name: "t", value, ts: Date.now() }] }, {
    key: device,
    source: "test",
  }));

/** A reading of about 40 KB: ten string values of 4,000 characters. */
const bigReading = (device: string) =>
  toLogMessage(createEvent("telemetry.reported", {
    values: Array.from(
      { length: 10 },
      (_, i) => ({ name: `s${i}`, value: "x".repeat(4000), ts: Date.now() }),
    ),
  }, { key: device, source: "test" }));

async function appendReadings(log: EventLog, count: number): Promise<void> {
  for (let first = 0; first < count; first += 1000) {
    const size = Math.min(1000, count - first);
    await log.append(
      "aiot.telemetry",
      Array.from({ length: size }, (_, i) => reading(`d${i % 30}`, first + i)),
    );
  }
}

/** Counts the replays the hub starts on `log` and the records it pulls from them. */
function countingReplays(log: EventLog) {
  const counts = { replays: 0, records: 0 };
  const spied: EventLog = {
    ...log,
    async *replay(topic, options) {
      counts.replays++;
      for await (const chunk of log.replay(topic, options)) {
        counts.records += chunk.length;
        yield chunk;
      }
    },
  };
  return { log: spied, counts };
}

/** A hub over a fresh log; `history` readings are on the log before the hub starts (replay only). */
async function setup(options: Partial<LiveHubOptions> = {}, history = 0) {
  const log = createInMemoryEventLog();
  await log.ensureTopics(TOPICS.map((name) => ({ name, partitions: 3 })));
  await appendReadings(log, history);
  const counting = countingReplays(log);
  const hub = createLiveHub({ log: counting.log, topics: TOPICS, heartbeatMs: 60_000, ...options });
  await hub.ready;
  return { log, hub, replays: counting.counts };
}

/** A stream of `hub` for caller "test", resuming after `lastEventId` when given. */
const open = (
  hub: LiveHub,
  filter: LiveFilter,
  lastEventId?: string,
  signal = new AbortController().signal,
) =>
  hub.open({
    filter,
    ...(lastEventId ? { lastEventId } : {}),
    signal,
    caller: "test",
    stillAuthorized: () => Promise.resolve(true),
  });

/** What a forged `Last-Event-ID` says: every partition of every topic at offset 0. */
const forgedToken = () =>
  encodeToken(new Map(TOPICS.flatMap((_, t) => [0, 1, 2].map((p) => [slot(t, p), 0] as const))));

/** Lets the event loop turn `n` times. */
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
};

const valueOf = (frame: SseFrame) => frame.data.data?.values?.[0]?.value;

Deno.test("live hub: filters by device and type; Last-Event-ID resumes with no gap and no repeat", async () => {
  const { log, hub } = await setup();
  const stream = readSse(open(hub, { device: "a", types: ["telemetry.reported"] }), 3);
  await log.append("aiot.telemetry", [reading("a", 1), reading("b", 99), reading("a", 2), reading("a", 3)]);
  const first = await stream;
  assert.deepEqual(first.map(valueOf), [1, 2, 3]);
  await log.append("aiot.telemetry", [reading("a", 4), reading("c", 98), reading("a", 5)]);
  await new Promise((r) => setTimeout(r, 20));
  const resumed = await readSse(open(hub, { device: "a" }, first[0]!.id), 4);
  assert.deepEqual(resumed.map(valueOf), [2, 3, 4, 5]);
  await hub.stop();
  await log.close();
});

Deno.test("live hub: a client that does not read is dropped with a final event, others keep going", async () => {
  const { log, hub } = await setup({ maxBufferedBytes: 3_000 });
  const slow = open(hub, {});
  const fast = readSse(open(hub, {}), 30);
  for (let i = 0; i < 30; i++) {
    await log.append("aiot.telemetry", [reading(`d${i % 3}`, i)]);
    await new Promise((r) => setTimeout(r, 2)); // a reading client gets to read
  }
  assert.equal((await fast).length, 30);
  const slowEvents = await readSse(slow, 1000);
  assert.equal(slowEvents.at(-1)!.event, "dropped");
  assert.equal(slowEvents.at(-1)!.data.code, "too_slow");
  assert.ok(slowEvents.length <= 12, `dropped after its queue filled (${slowEvents.length} frames)`);
  assert.equal(hub.clients(), 0, "the dropped client and the finished one are gone");
  await hub.stop();
  await log.close();
});

Deno.test("live hub: the budget of a slow client is in bytes: a few large events drop it", async () => {
  const { log, hub } = await setup({ maxBufferedBytes: 50_000 });
  const slow = open(hub, {});
  const fast = readSse(open(hub, {}), 10);
  for (let i = 0; i < 10; i++) {
    await log.append("aiot.telemetry", [bigReading(`d${i % 3}`)]);
    await new Promise((r) => setTimeout(r, 2));
  }
  assert.equal((await fast).length, 10);
  const slowEvents = await readSse(slow, 1000);
  assert.equal(slowEvents.at(-1)!.event, "dropped");
  const queued = slowEvents.slice(0, -1).reduce((sum, f) => sum + f.text.length, 0);
  assert.ok(queued <= 50_000, `at most the budget was queued (${queued} characters)`);
  await hub.stop();
  await log.close();
});

Deno.test("live hub: a forged Last-Event-ID (every offset 0) replays without holding the event loop", async () => {
  const { log, hub } = await setup({}, 6000);
  const ticks = countEventLoopTicks();
  const events = await readSse(open(hub, {}, forgedToken()), 6000);
  const turnsDuringReplay = ticks.stop();
  assert.equal(events.length, 6000);
  // Before the fix the replay ran in microtasks only: no timer (and no socket) got a turn.
  assert.ok(turnsDuringReplay >= 5, `the event loop turned during the replay (${turnsDuringReplay} turns)`);
  await hub.stop();
  await log.close();
});

Deno.test("live hub: a client that goes away mid-replay stops the replay: the log is read no further", async () => {
  const { log, hub, replays } = await setup({}, 12_000);
  const reader = open(hub, {}, forgedToken()).body!.getReader();
  // The client goes away on a timer, like a socket's close: it fires only when the loop turns.
  setTimeout(() => reader.cancel(), 0);
  while (!(await reader.read()).done) { /* a client that reads as fast as it can */ }
  const readWhenGone = replays.records;
  await turns(10);
  assert.equal(replays.records, readWhenGone, "nothing read after the client left");
  assert.ok(readWhenGone < 6000, `the replay stopped early (${readWhenGone} of 12000 records read)`);
  assert.equal(hub.clients(), 0);
  await hub.stop();
  await log.close();
});

Deno.test("live hub: aborting the request's signal ends the stream and stops its replay", async () => {
  const { log, hub, replays } = await setup({}, 12_000);
  const request = new AbortController();
  const response = open(hub, {}, forgedToken(), request.signal);
  setTimeout(() => request.abort(), 0); // as Deno.serve does when the connection closes
  await readSse(response, Infinity); // until the stream ends
  const readWhenAborted = replays.records;
  await turns(10);
  assert.equal(replays.records, readWhenAborted, "nothing read after the abort");
  assert.ok(readWhenAborted < 6000, `the replay stopped early (${readWhenAborted} of 12000 records read)`);
  assert.equal(hub.clients(), 0);
  await hub.stop();
  await log.close();
});

Deno.test("live hub: a Last-Event-ID too far behind is answered with an error event, not replayed", async () => {
  const { log, hub, replays } = await setup({ maxResumeEvents: 100 }, 600); // about 200 per partition
  const events = await readSse(open(hub, {}, forgedToken()), 10);
  assert.deepEqual(events.map((e) => e.event), ["error"]);
  assert.equal(events[0]!.data.code, "resume_too_old");
  assert.match(events[0]!.data.message, /more than 100 events behind/);
  assert.equal(events[0]!.id, "", "an empty id: a browser reconnects without the stale Last-Event-ID");
  assert.equal(replays.replays, 0, "the log was not read");
  assert.equal(hub.clients(), 0);
  await hub.stop();
  await log.close();
});

Deno.test("live hub: live events held while a client replays count against its byte budget", async () => {
  const { log, hub, replays } = await setup({ maxBufferedBytes: 20_000 }, 300); // about 100 KB to replay
  const slow = open(hub, {}, forgedToken()); // not read while the events arrive
  await turns(5);
  assert.ok(replays.records < 300, "the replay waits for the client once half the budget is queued");
  await appendReadings(log, 300); // live while it replays: held until the replay is done
  await turns(5);
  const events = await readSse(slow, 10_000);
  assert.equal(events.at(-1)!.event, "dropped");
  assert.equal(events.at(-1)!.data.code, "too_slow");
  const queued = events.slice(0, -1).reduce((sum, f) => sum + f.text.length, 0);
  assert.ok(queued <= 20_000, `at most the budget was queued (${queued} characters)`);
  assert.equal(hub.clients(), 0);
  await hub.stop();
  await log.close();
});

Deno.test("live hub: one append over several partitions reaches a client as one chunk, not one per partition", async () => {
  const { log, hub } = await setup();
  const response = open(hub, {});
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const connected = decoder.decode((await reader.read()).value); // the stream's opening comment
  assert.ok(!connected.includes("data:"));
  // 30 devices over 3 partitions: one append, three partition batches for the hub's reader.
  await log.append("aiot.telemetry", Array.from({ length: 30 }, (_, i) => reading(`d${i}`, i)));
  const chunk = decoder.decode((await reader.read()).value);
  const frames = chunk.split("\n\n").filter((f) => f.includes("data:"));
  assert.equal(frames.length, 30, `all 30 frames in the first chunk (got ${frames.length})`);
  await reader.cancel();
  await hub.stop();
  await log.close();
});
