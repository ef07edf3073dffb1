import assert from "node:assert/strict";
import { eventEnvelopeSchema, toEventTime } from "./envelope.ts";
import { uuidv7 } from "./uuid_v7.ts";

const envelope = {
  id: uuidv7(),
  type: "device.state.reported",
  v: 1,
  key: "dev-1",
  time: "2025-01-31T12:00:00.000Z",
  ingestedAt: "2025-01-31T12:00:00.250Z",
  source: "ingest",
  traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  data: { patch: {} },
};

Deno.test("eventEnvelopeSchema accepts a complete envelope and leaves data alone", () => {
  assert.deepEqual(eventEnvelopeSchema.parse(envelope), envelope);
  const { traceparent: _, ...withoutTrace } = envelope;
  assert.ok(eventEnvelopeSchema.safeParse(withoutTrace).success, "traceparent is optional");
  assert.ok(eventEnvelopeSchema.safeParse({ ...envelope, data: null }).success, "data may be null");
});

Deno.test("eventEnvelopeSchema rejects malformed fields", () => {
  const bad: Record<string, unknown> = {
    id: "0190a1b2-c3d4-4e5f-8a6b-7c8d9e0f1a2b",
    type: "Telemetry",
    v: 1.5,
    key: "",
    time: 1738324800000,
    ingestedAt: "2025-13-01T00:00:00Z",
    source: "",
    traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
  };
  for (const [field, value] of Object.entries(bad)) {
    const result = eventEnvelopeSchema.safeParse({ ...envelope, [field]: value });
    assert.equal(result.success, false, field);
    assert.deepEqual(result.error?.issues.map((issue) => issue.path.join(".")), [field]);
  }
});

Deno.test("toEventTime() normalises to UTC ISO-8601 with milliseconds", () => {
  assert.equal(toEventTime(0), "1970-01-01T00:00:00.000Z");
  assert.equal(toEventTime(new Date(Date.UTC(2025, 0, 1))), "2025-01-01T00:00:00.000Z");
  assert.equal(toEventTime("2025-01-01T02:00:00+02:00"), "2025-01-01T00:00:00.000Z");
  assert.throws(() => toEventTime("2025-01-01"), RangeError);
  assert.throws(() => toEventTime(Number.NaN), RangeError);
});
