import assert from "node:assert/strict";
import { createEvent } from "./catalog.ts";
import { decodeEvent, encodeEvent } from "./codec.ts";
import { telemetryV1ToV2 } from "./telemetry.ts";

const ts = Date.UTC(2026, 10, 30, 12);
const options = { key: "dev-1", source: "test", now: () => ts };

/** A `telemetry.reported` v1 record as it was written before v2 existed: raw JSON. */
const v1Record = JSON.stringify({
  id: "019ad4f2-0000-7000-8000-000000000001",
  type: "telemetry.reported",
  v: 1,
  key: "dev-1",
  time: "2026-11-30T12:00:00.000Z",
  ingestedAt: "2026-11-30T12:00:00.000Z",
  source: "ingest",
  data: { values: [{ name: "temperature", value: 21.5, ts }, { name: "door", value: true, ts }], qos: 1 },
});

Deno.test("a telemetry.reported v1 record decodes as v2: every value good, no unit", () => {
  const decoded = decodeEvent(v1Record);
  assert.ok(decoded.ok, decoded.ok ? "" : decoded.reason);
  assert.equal(decoded.event.v, 2);
  assert.deepEqual(decoded.event.data, {
    values: [
      { name: "temperature", value: 21.5, ts, quality: "good" },
      { name: "door", value: true, ts, quality: "good" },
    ],
    qos: 1,
  });
});

Deno.test("telemetry.reported v2 carries unit and quality; quality defaults to good", () => {
  const event = createEvent("telemetry.reported", {
    values: [
      { name: "temperature", value: 21.5, ts, unit: "°C", quality: "uncertain" },
      { name: "energy", value: 3.2, ts, unit: "kWh" },
    ],
  }, options);
  assert.equal(event.v, 2);
  assert.deepEqual(event.data.values.map((p) => [p.unit, p.quality]), [["°C", "uncertain"], ["kWh", "good"]]);
  const decoded = decodeEvent(encodeEvent(event));
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.event, event);
});

Deno.test("telemetry.reported v2 refuses an unknown quality, a bad unit and unknown keys, naming them", () => {
  const bad = (point: Record<string, unknown>) => () =>
    createEvent("telemetry.reported", { values: [{ name: "t", value: 1, ts, ...point }] } as never, options);
  assert.throws(bad({ quality: "fine" }), /values\.0\.quality/);
  assert.throws(bad({ unit: "" }), /values\.0\.unit/);
  assert.throws(bad({ unit: "x".repeat(33) }), /values\.0\.unit/);
  assert.throws(bad({ unit: "a\nb" }), /values\.0\.unit/);
  assert.throws(bad({ scale: 10 }), /values\.0: Unrecognized key/);
});

Deno.test("telemetryV1ToV2() passes what is not v1's shape on unchanged, for the schema to reject", () => {
  assert.equal(telemetryV1ToV2(null), null);
  assert.deepEqual(telemetryV1ToV2({ values: "x" }), { values: "x" });
  assert.deepEqual(telemetryV1ToV2({ values: [1] }), { values: [1] });
  const decoded = decodeEvent(v1Record.replace('"value":21.5', '"value":null'));
  assert.equal(decoded.ok, false);
});
