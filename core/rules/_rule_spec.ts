/**
 * Given/when/then specs for the alert lifecycle: `given(rule).when(...inputs).then(transitions)`
 * folds the inputs through `evaluate` from the initial state and compares every transition.
 */
import assert from "node:assert/strict";
import { evaluate, initialRuleState, type RuleInput, type RuleState, type Transition } from "./evaluate.ts";
import type { Rule, RuleCondition } from "./rule.ts";

export function ruleWith(condition: RuleCondition, extra: Partial<Rule> = {}): Rule {
  return { ruleId: "r1", version: 1, name: "r1", enabled: true, severity: "warning", condition, ...extra };
}

export const point = (t: number, value: number | boolean | string): RuleInput => ({
  kind: "point",
  t,
  value,
});
export const time = (now: number): RuleInput => ({ kind: "time", now });

export function fold(rule: Rule, inputs: RuleInput[], from: RuleState = initialRuleState()) {
  let state = from;
  const transitions: Transition[] = [];
  for (const input of inputs) {
    const result = evaluate(state, rule, input);
    state = result.state;
    transitions.push(...result.transitions);
  }
  return { state, transitions };
}

export function given(rule: Rule, from?: RuleState) {
  return {
    when: (...inputs: RuleInput[]) => {
      const result = fold(rule, inputs, from);
      return {
        then(expected: Transition[]) {
          assert.deepEqual(result.transitions, expected);
          return result.state;
        },
      };
    },
  };
}
