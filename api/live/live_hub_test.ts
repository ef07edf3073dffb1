import assert from "node:assert/strict";
import { createEvent } from "../../core/events/catalog.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import { createInMemoryEventLog } from "../../core/testing/in_memory_event_log.ts";
import { createLiveHub } from "./live_hub.ts";

const reading = (device: string, value: number) =>
  toLogMessage(createEvent("telemetry.reported", { values: [{ name: "t", value, ts: Date.now() }] }, {
    key: device,
    source: "test",
  }));

async function setup(maxQueue = 5000) {
  const log = createInMemoryEventLog();
  await log.ensureTopics([{ name: "aiot.telemetry", partitions: 3 }, { name: "aiot.device", partitions: 3 }]);
  const hub = createLiveHub({
    log,
    topics: ["aiot.telemetry", "aiot.device"],
    maxQueue,
    heartbeatMs: 60_000,
  });
  await hub.ready;
  return { log, hub };
}

/** Reads frames until `count` events (or a `dropped` event) arrived. */
async function frames(response: Response, count: number) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: { event: string; id: string; value?: number }[] = [];
  let buffer = "";
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    for (let end; (end = buffer.indexOf("\n\n")) >= 0; buffer = buffer.slice(end + 2)) {
      const frame = buffer.slice(0, end);
      const event = frame.match(/^event: (.+)$/m)?.[1];
      if (!event) continue;
      const parsed = JSON.parse(frame.match(/^data: (.+)$/m)![1]!);
      events.push({
        event,
        id: frame.match(/^id: (.+)$/m)?.[1] ?? "",
        value: parsed.data?.values?.[0]?.value,
      });
      if (event === "dropped") return events;
    }
  }
  await reader.cancel();
  return events;
}

Deno.test("live hub: filters by device and type; Last-Event-ID resumes with no gap and no repeat", async () => {
  const { log, hub } = await setup();
  const stream = frames(hub.open({ device: "a", types: ["telemetry.reported"] }), 3);
  await log.append("aiot.telemetry", [reading("a", 1), reading("b", 99), reading("a", 2), reading("a", 3)]);
  const first = await stream;
  assert.deepEqual(first.map((e) => e.value), [1, 2, 3]);
  await log.append("aiot.telemetry", [reading("a", 4), reading("c", 98), reading("a", 5)]);
  await new Promise((r) => setTimeout(r, 20));
  const resumed = await frames(hub.open({ device: "a" }, first[0]!.id), 4);
  assert.deepEqual(resumed.map((e) => e.value), [2, 3, 4, 5]);
  await hub.stop();
  await log.close();
});

Deno.test("live hub: a client that does not read is dropped with a final event, others keep going", async () => {
  const { log, hub } = await setup(10);
  const slow = hub.open({});
  const fast = frames(hub.open({}), 30);
  for (let i = 0; i < 30; i++) {
    await log.append("aiot.telemetry", [reading(`d${i % 3}`, i)]);
    await new Promise((r) => setTimeout(r, 2)); // a reading client gets to read
  }
  assert.equal((await fast).length, 30);
  const slowEvents = await frames(slow, 1000);
  assert.equal(slowEvents.at(-1)!.event, "dropped");
  assert.ok(slowEvents.length <= 12, `dropped after its queue filled (${slowEvents.length} frames)`);
  assert.equal(hub.clients(), 0, "the dropped client and the finished one are gone");
  await hub.stop();
  await log.close();
});
