/**
 * What one log event means to one rule: the inputs `evaluate` reads. Shared by the live processor
 * and the backtest, so both feed a rule exactly the same points in the same order.
 */
import type { DomainEvent } from "../events/catalog.ts";
import type { RuleInput } from "./evaluate.ts";
import type { Rule } from "./rule.ts";

/** The event types rules read, by topic family. */
export const RULE_INPUT_TYPES = ["telemetry.reported", "device.event.reported"] as const;

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
  if (event.type !== "telemetry.reported" || condition.kind === "event") return [];
  const metric = condition.metric;
  const inputs: RuleInput[] = [];
  for (const point of event.data.values) {
    if ((metric === undefined || point.name === metric) && inWindow(point.ts)) {
      inputs.push({ kind: "point", t: point.ts, value: point.value });
    }
  }
  return inputs;
}
