/**
 * The workload of bench `rules`: 100 rules of a realistic mix over 1,000 devices, and their
 * telemetry as decoded events (the rules processor's and the time-series projector's input).
 * Deterministic (a seeded generator), so every run and every side sees exactly the same events.
 */
import { createEvent, type DomainEvent } from "../core/events/catalog.ts";
import type { RuleCondition } from "../core/rules/mod.ts";

/** Ten metrics with a resting level and a swing; thresholds are set near the top of the swing. */
const METRICS = [
  { name: "temperature", base: 60, swing: 25 },
  { name: "humidity", base: 50, swing: 20 },
  { name: "pressure", base: 1013, swing: 15 },
  { name: "battery", base: 60, swing: 35 },
  { name: "rssi", base: -70, swing: 15 },
  { name: "voltage", base: 3.3, swing: 0.3 },
  { name: "current", base: 0.5, swing: 0.4 },
  { name: "flow", base: 12, swing: 8 },
  { name: "vibration", base: 2, swing: 1.5 },
  { name: "co2", base: 700, swing: 400 },
] as const;

export const METRICS_PER_MESSAGE = 4;
export const SITES = ["north", "south", "east", "west"] as const;

/** mulberry32: small, fast, reproducible. */
export function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/**
 * `count` rules: 80 % thresholds (with `forSeconds` 0–120 s and a hysteresis), 10 % ranges, 6 %
 * rates and 4 % absence; a quarter scoped to one site's label, the rest to every device.
 */
export function benchRules(count: number, at: number): DomainEvent[] {
  const random = seeded(7);
  return Array.from({ length: count }, (_, i) => {
    const m = METRICS[i % METRICS.length]!;
    const share = (i * 100) / count;
    let condition: RuleCondition;
    if (share < 80) {
      const high = random() < 0.7;
      condition = {
        kind: "threshold",
        metric: m.name,
        op: high ? ">" : "<",
        value: round(m.base + (high ? 1 : -1) * m.swing * (0.95 + random() * 0.15)),
        forSeconds: [0, 10, 30, 60, 120][i % 5]!,
      };
    } else if (share < 90) {
      condition = {
        kind: "range",
        metric: m.name,
        min: round(m.base - m.swing * 1.05),
        max: round(m.base + m.swing * 1.05),
        forSeconds: 30,
      };
    } else if (share < 96) {
      condition = { kind: "rate", metric: m.name, op: ">", value: round(m.swing / 10) };
    } else {
      condition = { kind: "absence", ...(i % 2 ? { metric: m.name } : {}), seconds: 300 };
    }
    return createEvent("rule.defined", {
      ruleId: `bench-rule-${i}`,
      version: 1,
      name: `bench rule ${i}`,
      enabled: true,
      severity: (["info", "warning", "critical"] as const)[i % 3]!,
      ...(i % 4 === 3 ? { scope: { labels: { site: SITES[i % SITES.length]! } } } : {}),
      condition,
      clear: { hysteresis: round(m.swing * 0.1) },
    }, { key: `bench-rule-${i}`, source: "bench", time: at }) as DomainEvent;
  });
}

export const deviceId = (d: number) => `bench-${String(d).padStart(5, "0")}`;

/** The registrations that give each device its `site` label. */
export function benchDevices(devices: number, at: number): DomainEvent[] {
  return Array.from(
    { length: devices },
    (_, d) =>
      createEvent("device.registered", { labels: { site: SITES[d % SITES.length]! } }, {
        key: deviceId(d),
        source: "bench",
        time: at,
      }) as DomainEvent,
  );
}

/**
 * `count` telemetry events, round-robin over `devices` devices, each device once per second of
 * event time from `start`, each with the same 4 of the 10 metrics: a slow sine per device plus noise, so
 * thresholds are crossed now and then (alerts raise and clear) but most points are normal.
 */
export function benchTelemetry(count: number, devices: number, start: number): DomainEvent[] {
  const random = seeded(11);
  const phase = Array.from({ length: devices }, () => random() * Math.PI * 2);
  const events: DomainEvent[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const d = i % devices;
    const second = Math.floor(i / devices);
    const ts = start + second * 1000 + (d % 1000);
    const values = [];
    for (let k = 0; k < METRICS_PER_MESSAGE; k++) {
      const m = METRICS[(d + k * 3) % METRICS.length]!;
      const wave = Math.sin(phase[d]! + second / 60 + k);
      values.push({ name: m.name, value: round(m.base + m.swing * (wave + (random() - 0.5) * 0.1)), ts });
    }
    events[i] = createEvent("telemetry.reported", { values, qos: 1 }, {
      key: deviceId(d),
      source: "bench",
      time: ts,
      now: () => ts + 5,
    }) as DomainEvent;
  }
  return events;
}
