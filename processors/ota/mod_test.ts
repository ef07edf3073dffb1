/**
 * The `ota` processor as a specification: given campaign events (with their log offsets), when
 * devices connect, report and go quiet, then these job, wave and campaign events and downlinks —
 * and what survives a restart or a redelivery.
 */
import assert from "node:assert/strict";
import { createEvent, type DomainEvent } from "../../core/events/catalog.ts";
import type { DeviceGateway } from "../../core/gateway/device_gateway.ts";
import { jobIdOf } from "../../core/ota/mod.ts";
import type { HandleContext } from "../../core/processing/processor.ts";
import type { ProcessorStateStore } from "../../core/processing/state_store.ts";
import { createInMemoryProcessorStateStore } from "../../core/testing/in_memory_processor_state_store.ts";
import { otaProcessor } from "./mod.ts";

const topics = { ota: "o", device: "d", telemetry: "t", alert: "a", dlq: "q" };
const T0 = Date.parse("2026-11-30T12:00:00Z");
const sha256 = "a".repeat(64);

function fakeGateway(online: Set<string>) {
  const sent: { deviceId: string; suffix: string; payload: Record<string, unknown> }[] = [];
  const gateway: DeviceGateway = {
    isConnected: (id) => online.has(id),
    publishToDevice: (deviceId, suffix, payload) => {
      sent.push({ deviceId, suffix, payload: payload as Record<string, unknown> });
      return Promise.resolve();
    },
    disconnectDevice: () => 0,
    forgetDevice: () => {},
  };
  return { gateway, sent };
}

/** The wall clock the processor sees (its resend timer); event times come from `at`. */
const wall = { t: T0 };

function harness(
  { state = createInMemoryProcessorStateStore(), online = new Set<string>() }: {
    state?: ProcessorStateStore;
    online?: Set<string>;
  } = {},
) {
  const { gateway, sent } = fakeGateway(online);
  const processor = otaProcessor({
    topics,
    state,
    gateway,
    now: () => wall.t,
    downloadUrlFor: ({ jobId }) => Promise.resolve(`http://fw.test/${jobId}?sig=x`),
  });
  const offsets = new Map<string, number>();
  const signal = new AbortController().signal;
  let clock = T0;
  const stamp = (e: DomainEvent): DomainEvent => ({ ...e, ingestedAt: new Date(clock).toISOString() });
  const collect = (output: Awaited<ReturnType<typeof processor.handle>>) =>
    Object.fromEntries((output?.append ?? []).map(({ topic, events }) => [topic, events]));
  return {
    processor,
    state,
    online,
    sent,
    at: (ms: number) => (clock = T0 + ms),
    async feed(topic: string, events: DomainEvent[], at?: number, partition = 0) {
      const position = `${topic}#${partition}`;
      const start = at ?? offsets.get(position) ?? 0;
      offsets.set(position, Math.max(offsets.get(position) ?? 0, start + events.length));
      const context: HandleContext = {
        topic,
        partition,
        offsets: events.map((_, i) => start + i),
        signal,
      };
      const output = await processor.handle(events.map(stamp), context);
      await processor.persist!();
      return collect(output);
    },
    async tick(ms: number) {
      clock = T0 + ms;
      const output = await processor.tick!(clock);
      await processor.persist!();
      return collect(output);
    },
  };
}

type H = ReturnType<typeof harness>;

const created = (extra: Record<string, unknown> = {}) =>
  createEvent("ota.campaign.created", {
    campaignId: "c1",
    name: "to 2.0.0",
    firmwareId: "fw1",
    version: "2.0.0",
    sha256,
    size: 1024,
    target: {},
    jobTimeoutSeconds: 60,
    ...extra,
  } as never, { key: "c1", source: "api", now: () => T0 });
const op = (type: "ota.campaign.paused" | "ota.campaign.resumed" | "ota.campaign.cancelled") =>
  createEvent(type, { campaignId: "c1" }, { key: "c1", source: "api", now: () => T0 });
const started = (devices: string[]) =>
  createEvent("ota.campaign.started", { campaignId: "c1", devices }, {
    key: "c1",
    source: "api",
    now: () => T0,
  });
const reported = (deviceId: string, data: Record<string, unknown>) =>
  createEvent("ota.job.reported", data as never, { key: deviceId, source: "ingest", now: () => T0 });
const connected = (deviceId: string) =>
  createEvent("device.connected", { clientId: deviceId, protocol: "mqtt" }, {
    key: deviceId,
    source: "gateway",
    now: () => T0,
  });
const telemetry = (deviceId: string) =>
  createEvent("telemetry.reported", { values: [{ name: "t", value: 1, ts: T0 }] }, {
    key: deviceId,
    source: "ingest",
    now: () => T0,
  });

const job = (deviceId: string) => jobIdOf("c1", deviceId);
const types = (events: readonly { type: string }[] | undefined) => (events ?? []).map((e) => e.type);
const otaSent = (h: H) => h.sent.filter((s) => s.suffix === "ota").map((s) => s.deviceId);

async function succeed(h: H, deviceId: string, version = "2.0.0") {
  return await h.feed("o", [reported(deviceId, { jobId: job(deviceId), status: "succeeded", version })]);
}

Deno.test("ota: a campaign queues every job, dispatches its first wave to online devices only", async () => {
  const h = harness({ online: new Set(["d1", "d3"]) });
  await h.feed("o", [created({ waves: { size: 2 } })]);
  const out = await h.feed("o", [started(["d1", "d2", "d3"])]);
  assert.deepEqual(types(out.o), [
    "ota.job.queued",
    "ota.job.queued",
    "ota.job.queued",
    "ota.wave.started",
    "ota.job.dispatched",
  ]);
  assert.deepEqual(otaSent(h), ["d1"]);
  assert.deepEqual(h.sent[0]!.payload, {
    jobId: job("d1"),
    version: "2.0.0",
    url: `http://fw.test/${job("d1")}?sig=x`,
    sha256,
    size: 1024,
  });
  // d2 (wave 0) comes online: it gets its job; d3 (wave 1) must wait for its wave.
  h.online.add("d2");
  const later = await h.feed("d", [connected("d2"), connected("d3")]);
  assert.deepEqual(types(later.o), ["ota.job.dispatched"]);
  assert.deepEqual(otaSent(h), ["d1", "d2"]);
});

Deno.test("ota: the next wave starts only when the current one finished; then completed", async () => {
  const h = harness({ online: new Set(["d1", "d2", "d3"]) });
  await h.feed("o", [created({ waves: { size: 2 } })]);
  await h.feed("o", [started(["d1", "d2", "d3"])]);
  assert.deepEqual(types((await succeed(h, "d1")).o), ["ota.job.succeeded"]);
  const second = await h.feed("o", [reported("d2", { jobId: job("d2"), status: "failed", error: "flash" })]);
  assert.deepEqual(types(second.o), [
    "ota.job.failed",
    "ota.wave.finished",
    "ota.wave.started",
    "ota.job.dispatched",
  ]);
  assert.deepEqual(otaSent(h), ["d1", "d2", "d3"]);
  const done = await succeed(h, "d3");
  assert.deepEqual(types(done.o), ["ota.job.succeeded", "ota.wave.finished", "ota.campaign.completed"]);
  assert.deepEqual(done.o!.at(-1)!.data, {
    campaignId: "c1",
    succeeded: 2,
    failed: 1,
    timedOut: 0,
    cancelled: 0,
  });
  assert.deepEqual(types(done.d), ["device.state.reported"], "the shadow's firmware version");
});

Deno.test("ota: duplicate and out-of-order reports are harmless; a wrong version fails the job", async () => {
  const h = harness({ online: new Set(["d1", "d2"]) });
  await h.feed("o", [created()]);
  await h.feed("o", [started(["d1", "d2"])]);
  await succeed(h, "d1");
  const repeat = await h.feed("o", [
    reported("d1", { jobId: job("d1"), status: "downloading", progress: 5 }),
    reported("d1", { jobId: job("d1"), status: "succeeded", version: "2.0.0" }),
  ]);
  assert.deepEqual(types(repeat.o), []);
  const wrong = await succeed(h, "d2", "1.9.9");
  assert.deepEqual(types(wrong.o), ["ota.job.failed", "ota.wave.finished", "ota.campaign.completed"]);
  assert.equal(
    (wrong.o![0]!.data as { error: string }).error,
    "device reported version 1.9.9, expected 2.0.0",
  );
});

Deno.test("ota: a report for a job the device does not have goes to the DLQ and the device is told", async () => {
  const h = harness({ online: new Set(["d1", "d2"]) });
  await h.feed("o", [created()]);
  await h.feed("o", [started(["d1"])]);
  const out = await h.feed("o", [
    reported("d2", { jobId: job("d1"), status: "succeeded", version: "2.0.0" }), // another device's job
    reported("d2", { jobId: "nope", status: "downloading" }),
  ]);
  assert.deepEqual(types(out.q), ["input.rejected", "input.rejected"]);
  assert.match((out.q![0]!.data as { reason: string }).reason, /device d2 has no job/);
  const errors = h.sent.filter((s) => s.suffix === "errors");
  assert.deepEqual(errors.map((e) => [e.deviceId, e.payload.topic]), [
    ["d2", "devices/d2/ota/status"],
    ["d2", "devices/d2/ota/status"],
  ]);
  assert.deepEqual(types(out.o), [], "d1's job is untouched");
});

Deno.test("ota: the platform times jobs out, offline ones too, and counts them toward the abort", async () => {
  const h = harness({ online: new Set(["d1"]) });
  await h.feed("o", [created({ abort: { failurePercent: 50, minFinished: 2 }, waves: { size: 2 } })]);
  await h.feed("o", [started(["d1", "d2", "d3", "d4"])]);
  assert.deepEqual(types((await h.tick(59_000)).o), []);
  const out = await h.tick(61_000);
  assert.deepEqual(types(out.o), [
    "ota.job.timed_out",
    "ota.job.timed_out",
    "ota.campaign.aborted",
    "ota.job.cancelled",
    "ota.job.cancelled",
  ]);
  assert.equal(out.o![0]!.time, new Date(T0 + 60_000).toISOString(), "at its deadline");
  h.online.add("d3");
  assert.deepEqual(
    types((await h.feed("d", [connected("d3")])).o),
    [],
    "aborted: nothing more is dispatched",
  );
});

Deno.test("ota: pause holds dispatch and the clock of queued jobs; resume goes on; cancel stops", async () => {
  const h = harness();
  await h.feed("o", [created({ waves: { size: 1 } })]);
  await h.feed("o", [started(["d1", "d2"]), op("ota.campaign.paused")]);
  h.online.add("d1");
  assert.deepEqual(types((await h.feed("d", [connected("d1")])).o), [], "paused: not dispatched");
  assert.deepEqual(types((await h.tick(120_000)).o), [], "paused: a queued job does not time out");
  h.at(200_000);
  assert.deepEqual(types((await h.feed("o", [op("ota.campaign.resumed")])).o), ["ota.job.dispatched"]);
  const cancelled = await h.feed("o", [op("ota.campaign.cancelled")]);
  assert.deepEqual(types(cancelled.o), ["ota.job.cancelled"], "d2's queued job; d1's dispatched one runs on");
  h.online.add("d2");
  await h.feed("d", [connected("d2")]);
  assert.deepEqual(otaSent(h), ["d1"]);
});

Deno.test("ota: the health gate fails a device that goes silent and holds the next wave until the verdict", async () => {
  const h = harness({ online: new Set(["d1", "d2", "d3"]) });
  await h.feed("o", [created({ waves: { size: 2 }, health: { seconds: 10 } })]);
  await h.feed("o", [started(["d1", "d2", "d3"])]);
  await succeed(h, "d1");
  assert.deepEqual(types((await succeed(h, "d2")).o), ["ota.job.succeeded"], "wave 1 waits for health");
  h.at(6_000);
  await h.feed("t", [telemetry("d1")]);
  h.at(10_500);
  await h.feed("t", [telemetry("d1")]); // telemetry read past the window's end
  const verdict = await h.tick(10_501);
  assert.deepEqual(types(verdict.o), [
    "ota.job.failed",
    "ota.wave.finished",
    "ota.wave.started",
    "ota.job.dispatched",
  ]);
  assert.equal(verdict.o![0]!.key, "d2");
  assert.equal((verdict.o![0]!.data as { error: string }).error, "health");
});

Deno.test("ota: a critical alert after success fails the job with error health", async () => {
  const h = harness({ online: new Set(["d1"]) });
  await h.feed("o", [created({ health: { seconds: 60 } })]);
  await h.feed("o", [started(["d1"])]);
  await succeed(h, "d1");
  const alert = createEvent("alert.raised", {
    alertId: "al-1",
    ruleId: "r",
    ruleVersion: 1,
    deviceId: "d1",
    severity: "critical",
    raisedAt: T0,
    value: 1,
    message: "boot loop",
  }, { key: "d1", source: "rules", now: () => T0 });
  const out = await h.feed("a", [alert]);
  assert.deepEqual(types(out.o), ["ota.job.failed", "ota.wave.finished", "ota.campaign.completed"]);
});

Deno.test("ota: a restart keeps job state; redelivered events change nothing and re-send nothing", async () => {
  const state = createInMemoryProcessorStateStore();
  const online = new Set(["d1", "d2"]);
  const first = harness({ state, online });
  await first.feed("o", [created(), started(["d1", "d2"])]);
  await first.feed("o", [reported("d1", { jobId: job("d1"), status: "downloading" })]);
  assert.deepEqual(otaSent(first), ["d1", "d2"]);

  const second = harness({ state, online });
  await second.processor.init();
  // The whole ota partition again from offset 0, as after a crash before the commit.
  const again = await second.feed("o", [
    created(),
    started(["d1", "d2"]),
    reported("d1", { jobId: job("d1"), status: "downloading" }),
  ], 0);
  assert.deepEqual(types(again.o), []);
  assert.deepEqual(otaSent(second), []);
  // d1 reconnects: it acknowledged its job, so it is not sent again; d2 never answered: it is.
  await second.feed("d", [connected("d1"), connected("d2")]);
  assert.deepEqual(otaSent(second), ["d2"]);
  assert.deepEqual(second.processor.size(), { campaigns: 1, jobs: 2, active: 2 });
});

Deno.test("ota: after a crash before the save, the same transitions are derived with the same ids", async () => {
  const a = harness({ online: new Set(["d1"]) });
  const b = harness({ online: new Set(["d1"]) });
  const events = [created(), started(["d1"])];
  const outA = await a.feed("o", events);
  const outB = await b.feed("o", events);
  assert.deepEqual(outA.o!.map((e) => e.id), outB.o!.map((e) => e.id));
});

Deno.test("ota: a silence verdict waits until the window's telemetry was read, or a grace period passed", async () => {
  const h = harness({ online: new Set(["d1"]) });
  await h.feed("o", [created({ health: { seconds: 10 } })]);
  await h.feed("o", [started(["d1"])]);
  await succeed(h, "d1");
  h.at(4_000);
  await h.feed("t", [telemetry("d9")]); // another device: the telemetry read so far ends at 4 s
  assert.deepEqual(types((await h.tick(12_000)).o), [], "readings of 4-10 s may still be unread");
  const late = await h.tick(40_000);
  assert.deepEqual(types(late.o), ["ota.job.failed", "ota.wave.finished", "ota.campaign.completed"]);
  assert.equal(late.o![0]!.time, new Date(T0 + 10_000).toISOString(), "judged at the window's end");
});

Deno.test("ota: a device that keeps reporting passes once its own partition is read, whatever idle partitions hold", async () => {
  const h = harness({ online: new Set(["d1"]) });
  await h.feed("o", [created({ health: { seconds: 10 } })]);
  await h.feed("o", [started(["d1"])]);
  await succeed(h, "d1");
  h.at(4_000);
  await h.feed("t", [telemetry("d9")], undefined, 1); // another partition, idle after 4 s
  h.at(6_000);
  await h.feed("t", [telemetry("d1")], undefined, 0);
  assert.deepEqual(types((await h.tick(10_500)).o), [], "d1's partition is read up to 6 s only");
  h.at(11_000);
  await h.feed("t", [telemetry("d1")], undefined, 0);
  const verdict = await h.tick(11_500);
  assert.deepEqual(
    types(verdict.o),
    ["ota.wave.finished", "ota.campaign.completed"],
    "no grace wait for partition 1",
  );
});

Deno.test("ota: relevant() keeps telemetry of devices with jobs only", async () => {
  const h = harness({ online: new Set(["d1"]) });
  await h.processor.init!();
  let relevant = await h.processor.relevant!();
  assert.equal(relevant("telemetry.reported", "d1"), false, "no campaign: telemetry is never decoded");
  assert.equal(relevant("ota.job.reported", "d1"), true);
  await h.feed("o", [created()]);
  await h.feed("o", [started(["d1"])]);
  relevant = await h.processor.relevant!();
  assert.equal(relevant("telemetry.reported", "d1"), true);
  assert.equal(relevant("telemetry.reported", "d9"), false);
});

Deno.test("ota: a restarted processor reading a device's telemetry late still passes it", async () => {
  const state = createInMemoryProcessorStateStore();
  const first = harness({ state, online: new Set(["d1"]) });
  await first.feed("o", [created({ health: { seconds: 10 } })]);
  await first.feed("o", [started(["d1"])]);
  await succeed(first, "d1");
  first.at(2_000);
  await first.feed("t", [telemetry("d1")]);
  // Down from 2 s to 30 s: the readings of 6 s and 9 s are read only after the restart's first tick.
  const second = harness({ state, online: new Set(["d1"]) });
  await second.processor.init();
  assert.deepEqual(types((await second.tick(30_000)).o), []);
  second.at(6_000);
  await second.feed("t", [telemetry("d1")], 1);
  second.at(11_000);
  await second.feed("t", [telemetry("d1")], 2);
  const verdict = await second.tick(30_001);
  assert.deepEqual(types(verdict.o), ["ota.wave.finished", "ota.campaign.completed"]);
});

Deno.test("ota: a device that reports but never acknowledged its job is sent it again, at most every 30 s", async () => {
  wall.t = T0;
  const h = harness({ online: new Set(["d1"]) });
  await h.feed("o", [created()]);
  await h.feed("o", [started(["d1"])]);
  assert.deepEqual(otaSent(h), ["d1"]);
  await h.feed("t", [telemetry("d1")]);
  assert.deepEqual(otaSent(h), ["d1"], "just sent: not again");
  wall.t = T0 + 31_000;
  await h.feed("t", [telemetry("d1"), telemetry("d1")]);
  assert.deepEqual(otaSent(h), ["d1", "d1"], "once, however much it reports");
  await h.feed("o", [reported("d1", { jobId: job("d1"), status: "downloading" })]);
  wall.t = T0 + 70_000;
  await h.feed("t", [telemetry("d1")]);
  assert.deepEqual(otaSent(h), ["d1", "d1"], "acknowledged: never again");
  wall.t = T0;
});
