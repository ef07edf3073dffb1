import assert from "node:assert/strict";
import { evaluate, initialRuleState, type Rule, type RuleState } from "../../core/rules/mod.ts";
import { BOILER_CYCLE, createDeviceModel, parseProfile, PROFILES } from "./profiles.ts";
import { demoRules } from "./demo_rules.ts";
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
  assert.throws(() => parseProfile("toaster"), /expected thermostat, door, tracker, boiler/);
});

Deno.test("parseTokenFile() reads what formatTokenFile() writes and names a bad line", () => {
  const identities = [{ id: "dev-1", token: "abc" }, { id: "dev-2", token: "def" }];
  assert.deepEqual(parseTokenFile(formatTokenFile(identities) + "\n  # note\n"), identities);
  assert.throws(() => parseTokenFile("dev-1 abc\ndev-2\n"), /line 2/);
});

/** Readings of a seeded boiler, one every `stepMs` for `seconds`, on a clock starting at `start`. */
function boilerReadings(seed: number, seconds: number, stepMs = 1000, start = Date.UTC(2026, 10, 30, 12)) {
  const model = createDeviceModel("boiler", seeded(seed));
  const readings: { t: number; temperature: number; burner: boolean }[] = [];
  for (let t = start; t < start + seconds * 1000; t += stepMs) {
    const { values } = model.next(t);
    readings.push({
      t: t - start,
      temperature: values.temperature as number,
      burner: values.burner as boolean,
    });
  }
  return readings;
}

/** The alert transitions of `rule` over the readings, as [kind, seconds since start]. */
function alertsOf(rule: Rule, readings: { t: number; temperature: number }[]) {
  let state: RuleState = initialRuleState();
  const transitions: [string, number][] = [];
  for (const { t, temperature } of readings) {
    const result = evaluate(state, rule, { kind: "point", t, value: temperature });
    state = result.state;
    for (const transition of result.transitions) {
      if (transition.kind !== "updated") transitions.push([transition.kind, transition.at / 1000]);
    }
  }
  return transitions;
}

const boilerRule = demoRules(["demo-boiler-1"]).find((r) => r.ruleId === "demo-boiler-hot")!;

Deno.test("boiler: about 70 °C, above 80 °C for about a minute every 5 minutes, the first a minute in", () => {
  const readings = boilerReadings(4, 900);
  const hot = readings.filter((r) => r.temperature > 80).map((r) => r.t / 1000);
  // Three faults in 15 minutes, starting 60 s, 360 s and 660 s after the first reading.
  const episodes = [0, 1, 2].map((n) => hot.filter((s) => s >= 60 + n * 300 && s < 360 + n * 300));
  assert.equal(episodes.flat().length, hot.length, "hot only during the scheduled faults");
  episodes.forEach((episode, n) => {
    const [first, last] = [episode[0]! - n * 300, episode[episode.length - 1]! - n * 300];
    assert.ok(first > 60 + 10 && first < 60 + 25, `climbs past 80 °C early in fault ${n}: ${first}`);
    assert.ok(last - first > 55 && last - first < 110, `hot for about a minute: ${first}–${last}`);
    assert.ok(episode.length > 45, `mostly above 80 °C meanwhile: ${episode.length} readings`);
  });
  const normal = readings.filter((r) => r.t < 50_000);
  assert.ok(normal.every((r) => Math.abs(r.temperature - 70) <= 1), "±1 °C of 70 °C when normal");
  assert.ok(readings.some((r) => r.burner) && readings.some((r) => !r.burner));
});

Deno.test("boiler: the demo rule raises once and clears once per fault; without hysteresis it flaps", () => {
  const readings = boilerReadings(5, 600);
  const transitions = alertsOf(boilerRule as Rule & { version: number }, readings);
  assert.deepEqual(transitions.map(([kind]) => kind), ["raised", "cleared", "raised", "cleared"]);
  const [raisedAt, clearedAt] = [transitions[0]![1], transitions[1]![1]];
  assert.ok(raisedAt >= 60 + 20 && raisedAt < 60 + 60, `raised after 20 s above 80 °C: ${raisedAt}`);
  assert.ok(
    clearedAt > (BOILER_CYCLE.normalFrom - BOILER_CYCLE.startsAtSecond),
    `cleared once settled: ${clearedAt}`,
  );

  const twitchy = {
    ...boilerRule,
    version: 1,
    condition: { ...boilerRule.condition, forSeconds: 0 },
  } as Rule;
  const { clear: _clear, ...noHysteresis } = twitchy;
  const raises = (rule: Rule) => alertsOf(rule, readings).filter(([kind]) => kind === "raised").length;
  assert.equal(raises(twitchy), 2, "with hysteresis: one alert per fault");
  assert.ok(
    raises(noHysteresis) > 4,
    `without hysteresis the noise around 80 °C flaps: ${raises(noHysteresis)}`,
  );
});

Deno.test("boiler: the schedule follows the clock, not the message rate", () => {
  const firstHot = (stepMs: number) =>
    boilerReadings(6, 200, stepMs).find((r) => r.temperature > 80)!.t / 1000;
  assert.ok(Math.abs(firstHot(1000) - firstHot(250)) < 5, `${firstHot(1000)} vs ${firstHot(250)}`);
});

Deno.test("boiler: a desired setpoint moves the curve; turned down, the faults stay below 80 °C", () => {
  const model = createDeviceModel("boiler", seeded(7));
  assert.deepEqual(model.applyDesired({ setpoint: "hot" }), {});
  assert.deepEqual(model.applyDesired({ setpoint: 60 }), { setpoint: 60 });
  assert.equal(model.reported().setpoint, 60);
  const temperatures = Array.from(
    { length: 600 },
    (_, i) => model.next(i * 1000).values.temperature as number,
  );
  assert.ok(Math.max(...temperatures) < 80, `hottest ${Math.max(...temperatures)}`);
  assert.ok(Math.max(...temperatures) > 74, "the faults still show");
});
