import assert from "node:assert/strict";
import { createEvent } from "../events/catalog.ts";
import { decodeEvent, encodeEvent, toLogMessage } from "../events/codec.ts";
import { InfrastructureError, ValidationError } from "../errors.ts";
import type { ProcessorDefinition } from "./processor.ts";
import { runProcessor } from "./runner.ts";
import { given, lagOf, readAll, reading, until } from "./_runner_test_kit.ts";

Deno.test("runProcessor() hands matching events to the processor and appends its outputs before committing", async () => {
  const log = await given([reading("d1", 20), reading("d2", 31), reading("d1", 35)]);
  const handled: number[] = [];
  const hot: ProcessorDefinition = {
    name: "hot",
    topics: ["aiot.telemetry"],
    handles: ["telemetry.reported"],
    handle(events) {
      const raised = events.flatMap((e) => {
        const value = (e.data as { values: { value: number }[] }).values[0]!.value;
        handled.push(value);
        return value > 30
          ? [createEvent("alert.raised", {
            alertId: crypto.randomUUID(),
            ruleId: "r1",
            deviceId: e.key,
            ruleVersion: 1,
            severity: "warning",
            raisedAt: 0,
            value,
            message: "hot",
          }, { key: e.key, source: "rules" })]
          : [];
      });
      return { append: [{ topic: "aiot.alert", events: raised }] };
    },
  };
  const running = runProcessor(hot, { log, dlqTopic: "aiot.dlq" });
  await until(async () => (await lagOf(log, "hot")) === 0);
  await running.stop();
  assert.deepEqual(handled.sort(), [20, 31, 35]);
  const alerts = (await readAll(log, "aiot.alert")).map((r) => decodeEvent(r.value));
  assert.equal(alerts.length, 2);
  assert.ok(alerts.every((a) => a.ok && a.event.type === "alert.raised"));
  await log.close();
});

Deno.test("runProcessor() dead-letters a poison event with the reason and keeps the partition moving", async () => {
  const log = await given([reading("d1", 1), reading("d1", 666), reading("d1", 3)]);
  const done: number[] = [];
  const deadLettered: string[] = [];
  const picky: ProcessorDefinition = {
    name: "picky",
    topics: ["aiot.telemetry"],
    handle(events) {
      const values = events.map((e) => (e.data as { values: { value: number }[] }).values[0]!.value);
      if (values.includes(666)) throw new ValidationError("value 666 is not allowed");
      done.push(...values);
    },
  };
  const running = runProcessor(picky, {
    log,
    dlqTopic: "aiot.dlq",
    hooks: { onDeadLetter: ({ reason }) => deadLettered.push(reason) },
  });
  await until(async () => (await lagOf(log, "picky")) === 0);
  await running.stop();
  assert.deepEqual(done, [1, 3]);
  assert.deepEqual(deadLettered, ["value 666 is not allowed"]);
  const [dlq] = await readAll(log, "aiot.dlq");
  const parsed = decodeEvent(dlq!.value);
  assert.ok(parsed.ok && parsed.event.type === "input.rejected");
  const data = parsed.event.data as { reason: string; payloadBase64: string; topic: string };
  assert.equal(data.reason, "picky: value 666 is not allowed");
  assert.equal(data.topic, "aiot.telemetry");
  assert.match(atob(data.payloadBase64), /"value":666/);
  await log.close();
});

Deno.test("runProcessor() reports to onBatch when the events it handled happened, without skipped types or dead letters", async () => {
  const NOW = Date.parse("2026-11-28T12:00:00.000Z");
  const at = (value: number) =>
    createEvent("telemetry.reported", { values: [{ name: "temperature", value, ts: NOW - 250 }] }, {
      key: "d1",
      source: "ingest",
    });
  const log = await given([at(1), at(666), at(3)]);
  await log.append("aiot.telemetry", [{
    key: "d1",
    value: encodeEvent(
      createEvent("device.connected", { clientId: "d1", protocol: "mqtt" }, { key: "d1", source: "test" }),
    ),
  }]);
  const reported: number[] = [];
  const ages: number[] = [];
  const picky: ProcessorDefinition = {
    name: "picky",
    topics: ["aiot.telemetry"],
    handles: ["telemetry.reported"],
    handle(events) {
      const values = events.map((e) => (e.data as { values: { value: number }[] }).values[0]!.value);
      if (values.includes(666)) throw new ValidationError("value 666 is not allowed");
    },
  };
  const running = runProcessor(picky, {
    log,
    dlqTopic: "aiot.dlq",
    now: () => NOW,
    hooks: {
      onBatch: ({ at, eventTimes }) => {
        reported.push(eventTimes.length);
        ages.push(...eventTimes.map((t) => at - t));
      },
    },
  });
  await until(async () => (await lagOf(log, "picky")) === 0);
  await running.stop();
  assert.equal(reported.reduce((a, b) => a + b, 0), 2);
  assert.deepEqual(ages, [250, 250]);
  await log.close();
});

Deno.test("runProcessor() dead-letters records that are not valid events", async () => {
  const log = await given([reading("d1", 1)]);
  await log.append("aiot.telemetry", [{ key: "d1", value: "{not json" }, {
    key: "d1",
    value: JSON.stringify({ ...reading("d1", 2), data: { values: [{ name: "t", value: null, ts: 1 }] } }),
  }]);
  let handled = 0;
  const running = runProcessor({
    name: "counter",
    topics: ["aiot.telemetry"],
    handle: (events) => void (handled += events.length),
  }, { log, dlqTopic: "aiot.dlq" });
  await until(async () => (await lagOf(log, "counter")) === 0);
  await running.stop();
  assert.equal(handled, 1);
  const reasons = (await readAll(log, "aiot.dlq")).map((r) => {
    const parsed = decodeEvent(r.value);
    return parsed.ok ? (parsed.event.data as { reason: string }).reason : "";
  });
  assert.equal(reasons.length, 2);
  assert.match(reasons[0]!, /^counter: cannot decode event: invalid JSON/);
  assert.match(reasons[1]!, /^counter: cannot decode event: .*values\.0\.value/);
  await log.close();
});

Deno.test("runProcessor() passes over records its processor turns down as irrelevant, undecoded, and commits them", async () => {
  const log = await given([]);
  const typed = (event: ReturnType<typeof reading>) => toLogMessage(event);
  await log.append("aiot.telemetry", [
    typed(reading("d1", 1)),
    // Turned down by key; its data is invalid, so decoding it would dead-letter it.
    { ...typed(reading("d2", 2)), value: JSON.stringify({ ...reading("d2", 2), data: { values: [] } }) },
    typed(reading("d1", 3)),
  ]);
  let asked = 0;
  const values: number[] = [];
  const running = runProcessor({
    name: "picky",
    topics: ["aiot.telemetry"],
    relevant() {
      asked++;
      return (type, key) => type === "telemetry.reported" && key === "d1";
    },
    handle: (events) => {
      for (const e of events) values.push((e.data as { values: { value: number }[] }).values[0]!.value);
    },
  }, { log, dlqTopic: "aiot.dlq" });
  await until(async () => (await lagOf(log, "picky")) === 0);
  await running.stop();
  assert.deepEqual(values.sort(), [1, 3]);
  assert.ok(asked >= 1, "asked once per batch");
  assert.deepEqual(await readAll(log, "aiot.dlq"), [], "the turned-down record was never decoded");
  await log.close();
});

Deno.test("runProcessor() retries retriable failures with backoff, then succeeds without dead-lettering", async () => {
  const log = await given([reading("d1", 1), reading("d1", 2)]);
  let calls = 0;
  const delays: number[] = [];
  const running = runProcessor({
    name: "flaky",
    topics: ["aiot.telemetry"],
    handle() {
      if (++calls < 4) throw new InfrastructureError("database restarting", { retriable: true });
    },
  }, {
    log,
    dlqTopic: "aiot.dlq",
    baseDelayMs: 1,
    hooks: { onRetry: ({ delayMs }) => delays.push(delayMs) },
  });
  await until(async () => (await lagOf(log, "flaky")) === 0);
  await running.stop();
  assert.deepEqual(delays, [1, 2, 4]);
  assert.equal((await readAll(log, "aiot.dlq")).length, 0);
  await log.close();
});

Deno.test("runProcessor() stop() during an outage leaves the batch uncommitted and stops cleanly", async () => {
  const log = await given([reading("d1", 1)]);
  let attempts = 0;
  const running = runProcessor({
    name: "outage",
    topics: ["aiot.telemetry"],
    handle() {
      attempts++;
      throw new InfrastructureError("down", { retriable: true });
    },
  }, { log, dlqTopic: "aiot.dlq", baseDelayMs: 10_000 });
  await until(() => attempts === 1);
  await running.stop();
  await running.done;
  assert.equal(await lagOf(log, "outage"), 1, "nothing committed");
  assert.equal((await readAll(log, "aiot.dlq")).length, 0, "nothing dead-lettered");
  await log.close();
});
