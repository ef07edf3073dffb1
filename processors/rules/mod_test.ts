/**
 * The rules processor as a specification: given rule and device events (with their log offsets),
 * when telemetry arrives, then these alert events — and what survives a restart or a redelivery.
 */
import assert from "node:assert/strict";
import { createEvent, type DomainEvent } from "../../core/events/catalog.ts";
import type { HandleContext } from "../../core/processing/processor.ts";
import type { ProcessorStateStore } from "../../core/processing/state_store.ts";
import { createInMemoryProcessorStateStore } from "../../core/testing/in_memory_processor_state_store.ts";
import { rulesProcessor } from "./mod.ts";

const topics = { telemetry: "t", device: "d", alert: "a", command: "c", dlq: "q" };
const NOW = Date.parse("2026-11-30T12:00:00Z");

function harness(state: ProcessorStateStore = createInMemoryProcessorStateStore()) {
  const processor = rulesProcessor({ topics, state, now: () => NOW });
  const offsets = new Map<string, number>();
  const signal = new AbortController().signal;
  return {
    processor,
    state,
    /** Hands `events` of `topic` to the processor at the next offsets (or at `at`), then persists. */
    async feed(topic: string, events: DomainEvent[], at?: number) {
      const start = at ?? offsets.get(topic) ?? 0;
      offsets.set(topic, Math.max(offsets.get(topic) ?? 0, start + events.length));
      const context: HandleContext = {
        topic,
        partition: 0,
        offsets: events.map((_, i) => start + i),
        signal,
      };
      const output = await processor.handle(events, context);
      await processor.persist!();
      return Object.fromEntries((output?.append ?? []).map(({ topic, events }) => [topic, events]));
    },
  };
}

const rule = (data: Record<string, unknown> = {}, type: "rule.defined" | "rule.changed" = "rule.defined") =>
  createEvent(type, {
    ruleId: "hot",
    version: 1,
    name: "Too hot",
    enabled: true,
    severity: "critical",
    condition: { kind: "threshold", metric: "temperature", op: ">", value: 30 },
    ...data,
  } as never, { key: "hot", source: "api", time: NOW - 3_600_000 });

const reading = (deviceId: string, ts: number, value: number) =>
  createEvent("telemetry.reported", { values: [{ name: "temperature", value, ts }] }, {
    key: deviceId,
    source: "ingest",
    time: ts,
  });

const kinds = (events: readonly { type: string }[] | undefined) => (events ?? []).map((e) => e.type);

Deno.test("rules: two violating messages in the same millisecond raise one alert", async () => {
  const h = harness();
  await h.feed("a", [rule()]);
  const out = await h.feed("t", [reading("d1", NOW, 31), reading("d1", NOW, 35)]);
  assert.deepEqual(kinds(out.a), ["alert.raised"]);
  const raised = out.a![0]!;
  assert.equal(raised.key, "d1");
  assert.deepEqual(raised.data, {
    alertId: (raised.data as { alertId: string }).alertId,
    ruleId: "hot",
    ruleVersion: 1,
    deviceId: "d1",
    severity: "critical",
    raisedAt: NOW,
    value: 31,
    message: "Too hot: temperature > 30",
  });
  assert.equal(raised.time, new Date(NOW).toISOString());
});

Deno.test("rules: a pending violation survives a restart (state saved with the positions)", async () => {
  const state = createInMemoryProcessorStateStore();
  const first = harness(state);
  await first.feed("a", [
    rule({ condition: { kind: "threshold", metric: "temperature", op: ">", value: 30, forSeconds: 600 } }),
  ]);
  assert.deepEqual(kinds((await first.feed("t", [reading("d1", NOW, 31)])).a), []);

  const second = harness(state);
  await second.processor.init();
  const out = await second.feed("t", [reading("d1", NOW + 600_000, 32)], 1);
  assert.deepEqual(kinds(out.a), ["alert.raised"]);
  assert.equal((out.a![0]!.data as { raisedAt: number }).raisedAt, NOW + 600_000);
});

Deno.test("rules: a redelivered batch the saved state has read raises nothing again", async () => {
  const state = createInMemoryProcessorStateStore();
  const first = harness(state);
  await first.feed("a", [rule()]);
  assert.deepEqual(kinds((await first.feed("t", [reading("d1", NOW, 31)])).a), ["alert.raised"]);
  const second = harness(state);
  await second.processor.init();
  assert.deepEqual(kinds((await second.feed("t", [reading("d1", NOW, 31)], 0)).a), []);
});

Deno.test("rules: a batch redelivered before its state was saved derives the same event ids", async () => {
  const state = createInMemoryProcessorStateStore();
  const first = harness(state);
  await first.feed("a", [rule()]);
  const context: HandleContext = {
    topic: "t",
    partition: 0,
    offsets: [0],
    signal: new AbortController().signal,
  };
  const lost = await first.processor.handle([reading("d1", NOW, 31)], context); // crash: no persist
  const second = harness(state);
  await second.processor.init();
  const again = await second.feed("t", [reading("d1", NOW, 31)], 0);
  assert.deepEqual(again.a!.map((e) => e.id), lost!.append![0]!.events.map((e) => e.id));
});

Deno.test("rules: back to normal beyond the hysteresis clears; a manual clear re-arms after normal", async () => {
  const h = harness();
  await h.feed("a", [rule({ clear: { hysteresis: 2 } })]);
  const raised = (await h.feed("t", [reading("d1", NOW, 31)])).a![0]!;
  assert.deepEqual(kinds((await h.feed("t", [reading("d1", NOW + 1, 29)])).a), []);
  const cleared = (await h.feed("t", [reading("d1", NOW + 2, 27)])).a!;
  assert.deepEqual(kinds(cleared), ["alert.cleared"]);
  assert.equal(
    (cleared[0]!.data as { alertId: string }).alertId,
    (raised.data as { alertId: string }).alertId,
  );

  const again = (await h.feed("t", [reading("d1", NOW + 3, 40)])).a![0]!;
  const { alertId } = again.data as { alertId: string };
  await h.feed("a", [createEvent("alert.cleared", {
    alertId,
    ruleId: "hot",
    deviceId: "d1",
    clearedAt: NOW + 4,
    reason: "manual",
    by: "op",
  }, { key: "d1", source: "api" })]);
  assert.deepEqual(
    kinds((await h.feed("t", [reading("d1", NOW + 5, 41)])).a),
    [],
    "no raise while still violating",
  );
  assert.deepEqual(kinds((await h.feed("t", [reading("d1", NOW + 6, 20), reading("d1", NOW + 7, 33)])).a), [
    "alert.raised",
  ]);
});

Deno.test("rules: scope by device and label; labels follow the registry events", async () => {
  const h = harness();
  await h.feed("a", [rule({ scope: { labels: { site: "north" } } })]);
  await h.feed("d", [
    createEvent("device.registered", { labels: { site: "north" } }, { key: "n1", source: "api" }),
    createEvent("device.registered", { labels: { site: "south" } }, { key: "s1", source: "api" }),
  ]);
  const out = await h.feed("t", [reading("n1", NOW, 31), reading("s1", NOW, 31), reading("x1", NOW, 31)]);
  assert.deepEqual(out.a!.map((e) => e.key), ["n1"]);
});

Deno.test("rules: deleting a rule clears its open alerts; disabling it too", async () => {
  const h = harness();
  await h.feed("a", [rule()]);
  await h.feed("t", [reading("d1", NOW, 31), reading("d2", NOW, 31)]);
  const deleted =
    (await h.feed("a", [createEvent("rule.deleted", { ruleId: "hot" }, { key: "hot", source: "api" })])).a!;
  assert.deepEqual(deleted.map((e) => [e.type, e.key, (e.data as { reason: string }).reason]), [
    ["alert.cleared", "d1", "rule deleted"],
    ["alert.cleared", "d2", "rule deleted"],
  ]);
  assert.deepEqual(kinds((await h.feed("t", [reading("d1", NOW + 1, 50)])).a), []);

  await h.feed("a", [rule({ ruleId: "hot", version: 1 })]);
  await h.feed("t", [reading("d1", NOW + 2, 31)]);
  const disabled = (await h.feed("a", [rule({ version: 2, enabled: false }, "rule.changed")])).a!;
  assert.deepEqual(disabled.map((e) => (e.data as { reason: string }).reason), ["rule disabled"]);
});

Deno.test("rules: an older or repeated rule version is ignored", async () => {
  const h = harness();
  await h.feed("a", [rule({ version: 2 })]);
  await h.feed("a", [
    rule({ version: 1, condition: { kind: "threshold", metric: "temperature", op: ">", value: 0 } }),
  ]);
  assert.deepEqual(kinds((await h.feed("t", [reading("d1", NOW, 10)])).a), []);
});

Deno.test("rules: a command action is requested once per raise, addressed to the device", async () => {
  const h = harness();
  await h.feed("a", [rule({ actions: [{ kind: "command", name: "valve.close", params: { force: true } }] })]);
  const out = await h.feed("t", [reading("d1", NOW, 31), reading("d1", NOW + 1, 32)]);
  assert.deepEqual(kinds(out.c), ["command.requested"]);
  const command = out.c![0]!;
  assert.equal(command.key, "d1");
  assert.deepEqual({ ...command.data as object, expiresAt: undefined }, {
    commandId: `${(out.a![0]!.data as { alertId: string }).alertId}-c0`,
    name: "valve.close",
    params: { force: true },
    expiresAt: undefined,
    requestedBy: "rule:hot",
  });
});

Deno.test("rules: absence raises on the timer and clears on the next reading", async () => {
  const h = harness();
  await h.feed("a", [rule({ condition: { kind: "absence", seconds: 60 } })]);
  await h.feed("t", [reading("d1", NOW, 1)]);
  assert.deepEqual(kinds((await h.processor.tick!(NOW + 59_000))?.append?.[0]?.events), []);
  const raised = (await h.processor.tick!(NOW + 61_000))!.append![0]!.events;
  assert.deepEqual(raised.map((e) => [e.type, (e.data as { raisedAt: number }).raisedAt]), [
    ["alert.raised", NOW + 60_000],
  ]);
  await h.processor.persist!();
  assert.deepEqual(kinds((await h.processor.tick!(NOW + 120_000))?.append?.[0]?.events), [], "raised once");
  assert.deepEqual(kinds((await h.feed("t", [reading("d1", NOW + 130_000, 2)])).a), ["alert.cleared"]);
});

Deno.test("rules: device events raise event rules", async () => {
  const h = harness();
  await h.feed("a", [rule({ condition: { kind: "event", type: "door.forced" } })]);
  const event = (type: string) =>
    createEvent("device.event.reported", { eventType: type, ts: NOW }, { key: "d1", source: "ingest" });
  const out = await h.feed("d", [event("door.opened"), event("door.forced"), event("door.forced")]);
  assert.deepEqual(out.a!.map((e) => [e.type, (e.data as { value: string }).value]), [[
    "alert.raised",
    "door.forced",
  ]]);
});

Deno.test("rules: an event rule may name a camera's stream going offline", async () => {
  const h = harness();
  await h.feed("a", [rule({ condition: { kind: "event", type: "camera.stream.offline" } })]);
  const offline = createEvent("camera.stream.offline", { reason: "unreachable host" }, {
    key: "cam-1",
    source: "cameras",
    time: NOW,
  });
  const online = createEvent("camera.stream.online", { source: "rtsp" }, {
    key: "cam-1",
    source: "cameras",
    time: NOW,
  });
  assert.equal((await h.processor.relevant!())("camera.stream.offline", "cam-1"), true);
  const out = await h.feed("d", [online, offline]);
  assert.deepEqual(out.a!.map((e) => [e.type, e.key, (e.data as { raisedAt: number }).raisedAt]), [[
    "alert.raised",
    "cam-1",
    NOW,
  ]]);
});

Deno.test("rules: a rule that fails on one device is dead-lettered with its reason; other devices go on", async () => {
  const state = createInMemoryProcessorStateStore();
  // A saved state that no longer fits the code (here: a device whose rule states are missing).
  await state.save("rules", {
    put: new Map([["device:broken", { rules: null }]]),
    remove: [],
    positions: new Map(),
  });
  const h = harness(state);
  await h.processor.init!();
  await h.feed("a", [rule()]);
  const out = await h.feed("t", [reading("broken", NOW, 31), reading("fine", NOW, 31)]);
  assert.deepEqual(out.a!.map((e) => e.key), ["fine"]);
  assert.deepEqual(kinds(out.q), ["input.rejected"]);
  const rejected = out.q![0]!.data as { reason: string; deviceId: string; topic: string };
  assert.match(rejected.reason, /^rules: rule hot v1 failed on device broken: /);
  assert.equal(rejected.deviceId, "broken");
});

Deno.test("rules: relevant() turns readings down until an enabled rule of their kind exists", async () => {
  const h = harness();
  await h.processor.init!();
  const ask = async () => {
    const relevant = await h.processor.relevant!();
    return [
      relevant("telemetry.reported", "d1"),
      relevant("device.event.reported", "d1"),
      relevant("rule.defined", "x"),
    ];
  };
  assert.deepEqual(await ask(), [false, false, true], "no rules: readings are never decoded");
  await h.feed("a", [rule({ enabled: false })]);
  assert.deepEqual(await ask(), [false, false, true], "a disabled rule reads nothing");
  await h.feed("a", [rule({ version: 2 }, "rule.changed")]);
  assert.deepEqual(await ask(), [true, false, true]);
  await h.feed("a", [rule({ ruleId: "door", condition: { kind: "event", type: "door.opened" } })]);
  assert.deepEqual(await ask(), [true, true, true]);
});
