import assert from "node:assert/strict";
import { telemetryValues, UplinkRejected } from "./telemetry_payload.ts";
import { DEFAULT_UPLINK_LIMITS } from "./uplink_limits.ts";

const NOW = Date.parse("2026-11-30T12:00:00.000Z");
const parse = (payload: unknown) => telemetryValues(payload, NOW, DEFAULT_UPLINK_LIMITS);

Deno.test("telemetryValues() takes a value with its unit and quality, in the structured and the flat form", () => {
  assert.deepEqual(
    parse({
      values: {
        temperature: { value: 21.5, unit: "°C" },
        humidity: { value: 40, unit: "%", quality: "uncertain" },
        door: true,
        level: { value: 0, quality: "bad" },
      },
    }),
    [
      { name: "temperature", value: 21.5, unit: "°C", quality: "good", ts: NOW },
      { name: "humidity", value: 40, unit: "%", quality: "uncertain", ts: NOW },
      { name: "door", value: true, quality: "good", ts: NOW },
      { name: "level", value: 0, quality: "bad", ts: NOW },
    ],
  );
  assert.deepEqual(parse({ energy: { value: 3.2, unit: "kWh" }, ts: NOW - 1 }), [
    { name: "energy", value: 3.2, unit: "kWh", quality: "good", ts: NOW - 1 },
  ]);
});

Deno.test("telemetryValues() refuses a malformed annotated value, naming the metric and the field", () => {
  const refused = (payload: unknown, reason: RegExp) =>
    assert.throws(
      () => parse(payload),
      (e: unknown) => e instanceof UplinkRejected && reason.test(e.message),
    );
  refused({ values: { t: { unit: "°C" } } }, /^telemetry\.values\.t: an object value needs "value"$/);
  refused({ values: { t: { value: 1, scale: 2 } } }, /^telemetry\.values\.t: unexpected key "scale"/);
  refused(
    { values: { t: { value: 1, quality: "fine" } } },
    /^telemetry\.values\.t\.quality: expected good, uncertain, bad$/,
  );
  refused({ values: { t: { value: 1, unit: "" } } }, /^telemetry\.values\.t\.unit: expected 1-32 characters/);
  refused({ values: { t: { value: 1, unit: 7 } } }, /^telemetry\.values\.t\.unit/);
  refused(
    { t: { value: { nested: 1 } } },
    /^telemetry\.t: value must be a number, boolean or string, got object$/,
  );
  refused({ values: { t: { value: null } } }, /got null/);
});
