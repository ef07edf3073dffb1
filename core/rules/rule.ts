/**
 * A rule as the rules processor and the backtest see it: the data of its latest
 * `rule.defined`/`rule.changed` event, plus which devices it watches and how it reads in a message.
 */
import type { z } from "zod";
import type { EventOf } from "../events/catalog.ts";
import type { ruleConditionSchema } from "../events/alert.ts";

export type Rule = Omit<EventOf<"rule.defined">["data"], "by">;
export type RuleCondition = z.output<typeof ruleConditionSchema>;
export type MetricValue = number | boolean | string;
export type Labels = Readonly<Record<string, string>>;

/** The rule from its defining event, without the actor. */
export function ruleOf(event: EventOf<"rule.defined" | "rule.changed">): Rule {
  const { by: _by, ...rule } = event.data;
  return rule;
}

/** True when the rule watches `deviceId` (with `labels`, its registry labels). An empty scope is every device. */
export function inScope(rule: Rule, deviceId: string, labels: Labels | undefined): boolean {
  const { devices, labels: wanted } = rule.scope ?? {};
  if (devices !== undefined && !devices.includes(deviceId)) return false;
  if (wanted === undefined) return true;
  return Object.entries(wanted).every(([k, v]) => labels?.[k] === v);
}

/** The metric a condition reads; `undefined` for event conditions and absence of any telemetry. */
export function metricOf(condition: RuleCondition): string | undefined {
  return condition.kind === "event" ? undefined : condition.metric;
}

/** A one-line description for alert messages, e.g. `temperature > 30 for 60 s`. */
export function describeCondition(condition: RuleCondition): string {
  const lasting = (s: number | undefined) => (s ? ` for ${s} s` : "");
  switch (condition.kind) {
    case "threshold":
      return `${condition.metric} ${condition.op} ${JSON.stringify(condition.value)}${
        lasting(condition.forSeconds)
      }`;
    case "range":
      return `${condition.metric} outside [${condition.min}, ${condition.max}]${
        lasting(condition.forSeconds)
      }`;
    case "rate":
      return `rate of ${condition.metric} ${condition.op} ${condition.value}/s`;
    case "event":
      return `device event ${condition.type}`;
    case "absence":
      return `no ${condition.metric ?? "telemetry"} for ${condition.seconds} s`;
  }
}
