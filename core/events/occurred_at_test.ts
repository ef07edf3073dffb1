import assert from "node:assert/strict";
import { createEvent } from "./catalog.ts";
import { occurredAt } from "./occurred_at.ts";

const NOW = Date.parse("2026-11-28T12:00:00.000Z");
const options = { key: "d1", source: "ingest", now: () => NOW };

Deno.test("occurredAt() of telemetry is its newest value timestamp, not the ingest time", () => {
  const event = createEvent("telemetry.reported", {
    values: [{ name: "a", value: 1, ts: NOW - 900 }, { name: "b", value: 2, ts: NOW - 40 }, {
      name: "c",
      value: 3,
      ts: NOW - 500,
    }],
  }, options);
  assert.equal(occurredAt(event), NOW - 40);
});

Deno.test("occurredAt() of other events is the envelope time", () => {
  const event = createEvent("device.connected", { clientId: "d1", protocol: "mqtt" }, {
    ...options,
    time: NOW - 1234,
  });
  assert.equal(occurredAt(event), NOW - 1234);
});
