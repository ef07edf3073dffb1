import assert from "node:assert/strict";
import { createDeviceModel, parseProfile, PROFILES } from "./profiles.ts";
import { formatTokenFile, parseTokenFile } from "./device_sources.ts";

/** A small deterministic generator (mulberry32) so the walks are reproducible. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("thermostat: the temperature walks towards the setpoint and follows a desired setpoint", () => {
  const model = createDeviceModel("thermostat", seeded(1));
  assert.deepEqual(model.applyDesired({ setpoint: 25, mode: "heat", colour: "red" }), {
    setpoint: 25,
    mode: "heat",
  });
  let values: Record<string, unknown> = {};
  for (let i = 0; i < 300; i++) values = model.next(i * 1000).values;
  assert.ok(Math.abs((values.temperature as number) - 25) < 1.5, `near 25 °C: ${values.temperature}`);
  assert.equal(values.mode, "heat");
  assert.ok((values.humidity as number) >= 20 && (values.humidity as number) <= 80);
  assert.equal(model.reported().setpoint, 25);
});

Deno.test("door: mostly closed, opens now and then with an event, battery drains", () => {
  const model = createDeviceModel("door", seeded(2));
  let opened = 0;
  let openReadings = 0;
  let battery = Infinity;
  for (let i = 0; i < 1000; i++) {
    const { values, events } = model.next(i);
    if (values.open) openReadings++;
    opened += events?.filter((e) => e.type === "door.opened").length ?? 0;
    assert.ok((values.battery as number) <= battery);
    battery = values.battery as number;
  }
  assert.ok(opened > 10, `opened ${opened} times`);
  assert.ok(openReadings < 500, "closed most of the time");
});

Deno.test("tracker: moves at a plausible speed", () => {
  const model = createDeviceModel("tracker", seeded(3));
  const first = model.next(0).values;
  let last = first;
  for (let i = 1; i <= 60; i++) last = model.next(i * 1000).values;
  const dLat = ((last.lat as number) - (first.lat as number)) * 111_320;
  const dLon = ((last.lon as number) - (first.lon as number)) * 111_320 *
    Math.cos(((first.lat as number) * Math.PI) / 180);
  assert.ok(Math.hypot(dLat, dLon) < 90 / 3.6 * 60 + 1, "no faster than 90 km/h");
  assert.ok((last.speed as number) >= 0 && (last.speed as number) <= 90);
});

Deno.test("parseProfile() names the choices", () => {
  assert.deepEqual(PROFILES.map(parseProfile), [...PROFILES]);
  assert.throws(() => parseProfile("toaster"), /expected thermostat, door, tracker/);
});

Deno.test("parseTokenFile() reads what formatTokenFile() writes and names a bad line", () => {
  const identities = [{ id: "dev-1", token: "abc" }, { id: "dev-2", token: "def" }];
  assert.deepEqual(parseTokenFile(formatTokenFile(identities) + "\n  # note\n"), identities);
  assert.throws(() => parseTokenFile("dev-1 abc\ndev-2\n"), /line 2/);
});
