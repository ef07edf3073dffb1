/**
 * What one log event means to one rule: the inputs `evaluate` reads. Shared by the live processor
 * and the backtest, so both feed a rule exactly the same points in the same order.
 */
import type { DomainEvent, EventOf } from "../events/catalog.ts";
import type { RuleInput } from "./evaluate.ts";
import type { Rule } from "./rule.ts";

/** The event types rules read, by topic family. */
export const RULE_INPUT_TYPES = [
  "telemetry.reported",
  "device.event.reported",
  "camera.stream.online",
  "camera.stream.offline",
] as const;

/**
 * Platform events an `event` rule may name by their own type (a camera going dark is not
 * something the camera reports on `devices/{id}/events`); their event time is the envelope's.
 */
export const PLATFORM_DEVICE_EVENTS: ReadonlySet<string> = new Set([
  "camera.stream.online",
  "camera.stream.offline",
]);

/**
 * The inputs of `event` for `rule`, in the event's order; `window` keeps only points whose event
 * time is in [from, to) (a backtest's range).
 */
export function inputsFor(
  rule: Rule,
  event: DomainEvent,
  window?: { from: number; to: number },
): RuleInput[] {
  const inWindow = (t: number) => window === undefined || (t >= window.from && t < window.to);
  const condition = rule.condition;
  if (event.type === "device.event.reported") {
    if (condition.kind !== "event" || event.data.eventType !== condition.type || !inWindow(event.data.ts)) {
      return [];
    }
    return [{ kind: "event", t: event.data.ts, type: event.data.eventType }];
  }
  if (PLATFORM_DEVICE_EVENTS.has(event.type)) {
    const t = Date.parse(event.time);
    if (condition.kind !== "event" || event.type !== condition.type || !inWindow(t)) return [];
    return [{ kind: "event", t, type: event.type }];
  }
  if (event.type !== "telemetry.reported") return [];
  const inputs: RuleInput[] = [];
  for (const point of event.data.values) {
    const input = pointInput(rule, point);
    if (input !== undefined && inWindow(point.ts)) inputs.push(input);
  }
  return inputs;
}

type Point = EventOf<"telemetry.reported">["data"]["values"][number];

/**
 * The input one telemetry point gives `rule`, if any: the processor's per-point path, which reads
 * an event's points once for all rules instead of once per rule, and `inputsFor` share it.
 */
export function pointInput(rule: Rule, point: Point): RuleInput | undefined {
  const condition = rule.condition;
  if (condition.kind === "event") return undefined;
  // A value its device marks `bad` says nothing about the condition (a failed sensor): it neither
  // raises nor clears. It still counts as telemetry for absence: the device is there.
  if (point.quality === "bad" && condition.kind !== "absence") return undefined;
  if (condition.metric !== undefined && point.name !== condition.metric) return undefined;
  return { kind: "point", t: point.ts, value: point.value };
}
