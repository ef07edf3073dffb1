import assert from "node:assert/strict";
import { createEvent } from "../events/catalog.ts";
import { inputsFor } from "./inputs.ts";
import { ruleWith } from "./_rule_spec.ts";

const reading = createEvent("telemetry.reported", {
  values: [
    { name: "temperature", value: 21, ts: 1000 },
    { name: "humidity", value: 40, ts: 1000 },
    { name: "temperature", value: 99, ts: 2000, quality: "bad" },
    { name: "temperature", value: 22, ts: 5000, quality: "uncertain" },
  ],
}, { key: "d1", source: "ingest" });

Deno.test("inputsFor() gives a rule the points of its metric, in order, within the window", () => {
  const hot = ruleWith({ kind: "threshold", metric: "temperature", op: ">", value: 30 });
  assert.deepEqual(inputsFor(hot, reading), [
    { kind: "point", t: 1000, value: 21 },
    { kind: "point", t: 5000, value: 22 },
  ]);
  assert.deepEqual(inputsFor(hot, reading, { from: 2000, to: 5000 }), []);
});

Deno.test("inputsFor() passes over values marked bad, except for absence (the device is there)", () => {
  const silent = ruleWith({ kind: "absence", metric: "temperature", seconds: 60 });
  assert.deepEqual(inputsFor(silent, reading).map((i) => i.kind === "point" && i.t), [1000, 2000, 5000]);
});

Deno.test("inputsFor() gives event rules only matching device events", () => {
  const door = ruleWith({ kind: "event", type: "door.forced" });
  assert.deepEqual(inputsFor(door, reading), []);
  const forced = createEvent("device.event.reported", { eventType: "door.forced", ts: 7 }, {
    key: "d1",
    source: "x",
  });
  assert.deepEqual(inputsFor(door, forced), [{ kind: "event", t: 7, type: "door.forced" }]);
});
