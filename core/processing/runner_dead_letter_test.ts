import assert from "node:assert/strict";
import { createEvent } from "../events/catalog.ts";
import { decodeEvent } from "../events/codec.ts";
import { ValidationError } from "../errors.ts";
import { given, lagOf, readAll, until } from "./_runner_test_kit.ts";
import { runProcessor } from "./runner.ts";

const hex = (bytes: ArrayBuffer) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

Deno.test("runProcessor() never dead-letters a record of the dead-letter topic again", async () => {
  const rejected = createEvent("input.rejected", {
    topic: "devices/d1/telemetry",
    reason: "invalid JSON: Unexpected token",
    payloadBase64: btoa("{nope"),
    deviceId: "d1",
  }, { key: "d1", source: "ingest" });
  const log = await given([rejected], "aiot.dlq");
  await log.append("aiot.dlq", [{ key: "d2", value: "{not an event" }]);
  const reported: string[] = [];
  const running = runProcessor({
    name: "dlq-reader",
    topics: ["aiot.dlq"],
    handle() {
      throw new ValidationError("cannot project this rejection");
    },
  }, {
    log,
    dlqTopic: "aiot.dlq",
    hooks: { onDeadLetter: ({ topic, offset, reason }) => reported.push(`${topic}@${offset}: ${reason}`) },
  });
  // Stops as soon as the dead-letter topic grows: before the fix, every failure wrapped itself again.
  await until(async () =>
    (await lagOf(log, "dlq-reader", "aiot.dlq")) === 0 || (await readAll(log, "aiot.dlq")).length > 2
  );
  await running.stop();
  assert.equal(
    (await readAll(log, "aiot.dlq")).length,
    2,
    "the dead-letter topic holds only its own two records",
  );
  assert.deepEqual(reported.sort(), [
    "aiot.dlq@0: cannot project this rejection",
    "aiot.dlq@1: cannot decode event: invalid JSON: Expected property name or '}' in JSON at position 1 (line 1 column 2)",
  ]);
  await log.close();
});

Deno.test("runProcessor() dead-letters an oversized record as its first 256 KiB with its size and sha256", async () => {
  const log = await given([]);
  const value = `{"values": "${"x".repeat(300_000)}`; // cut short: not JSON, so it cannot be decoded
  await log.append("aiot.telemetry", [{ key: "d1", value }]);
  const running = runProcessor({ name: "counter", topics: ["aiot.telemetry"], handle() {} }, {
    log,
    dlqTopic: "aiot.dlq",
  });
  await until(async () => (await lagOf(log, "counter")) === 0);
  await running.stop();
  const [record] = await readAll(log, "aiot.dlq");
  const parsed = decodeEvent(record!.value);
  assert.ok(
    parsed.ok && parsed.event.type === "input.rejected",
    parsed.ok ? parsed.event.type : parsed.reason,
  );
  const bytes = new TextEncoder().encode(value);
  const data = parsed.event.data;
  const kept = fromBase64(data.payloadBase64);
  assert.equal(kept.length, 256 * 1024);
  assert.ok(kept.every((b, i) => b === bytes[i]), "the kept bytes are the record's first bytes");
  assert.deepEqual(data.payloadTruncated, {
    bytes: bytes.length,
    sha256: hex(await crypto.subtle.digest("SHA-256", bytes)),
  });
  await log.close();
});
