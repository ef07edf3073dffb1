/**
 * Whether one value violates a condition, and whether it is back to normal beyond the hysteresis.
 * Pure and total: a value the condition cannot judge (a string against a range, a first point
 * for a rate) gives `undefined`, and the point is then passed over rather than read as normal.
 */
import type { MetricValue, RuleCondition } from "./rule.ts";

type Op = ">" | ">=" | "<" | "<=" | "==" | "!=";

/** `a op b`; ordering needs two numbers, equality is strict (no coercion). */
function compare(a: MetricValue, op: Op, b: MetricValue): boolean | undefined {
  if (op === "==") return a === b;
  if (op === "!=") return a !== b;
  if (typeof a !== "number" || typeof b !== "number") return undefined;
  switch (op) {
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
  }
}

/**
 * The threshold moved by the hysteresis towards the normal side, so "still violated" holds until
 * the value is `slack` beyond it: `> 30` with hysteresis 2 stays violated down to 28.
 */
function widened(op: Op, value: MetricValue, slack: number): MetricValue {
  if (typeof value !== "number" || slack === 0) return value;
  if (op === ">" || op === ">=") return value - slack;
  if (op === "<" || op === "<=") return value + slack;
  return value;
}

/**
 * True when `value` (the point's value, or the rate for a rate condition) violates `condition`,
 * with the violating region widened by `slack` (the hysteresis; 0 to test for raising).
 */
export function violates(
  condition: RuleCondition,
  value: MetricValue,
  slack = 0,
): boolean | undefined {
  switch (condition.kind) {
    case "threshold":
    case "rate":
      return compare(value, condition.op, widened(condition.op, condition.value, slack));
    case "range":
      if (typeof value !== "number") return undefined;
      return value < condition.min + slack || value > condition.max - slack;
    default:
      return undefined;
  }
}
