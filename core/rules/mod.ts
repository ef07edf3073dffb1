/**
 * @module
 * Rules (design §9) as pure code: the alert lifecycle of one rule on one device (`evaluate`),
 * the inputs a log event gives a rule, derived alert ids, and the backtest. The live `rules`
 * processor and `POST /rules/backtest` share all of it, so they cannot disagree.
 */
export { backtest, type BacktestOptions, type BacktestResult, type BacktestTransition } from "./backtest.ts";
export { violates } from "./condition.ts";
export {
  ALERT_UPDATE_EVERY_MS,
  carryOver,
  clearManually,
  evaluate,
  type Evaluation,
  initialRuleState,
  type RuleInput,
  type RuleState,
  type Transition,
} from "./evaluate.ts";
export { alertEventIdOf, alertIdOf } from "./ids.ts";
export { inputsFor, PLATFORM_DEVICE_EVENTS, pointInput, RULE_INPUT_TYPES } from "./inputs.ts";
export {
  describeCondition,
  inScope,
  type Labels,
  metricOf,
  type MetricValue,
  type Rule,
  type RuleCondition,
  ruleOf,
} from "./rule.ts";
export { ruleConditionSchema, ruleScopeSchema, ruleSettingsSchema, severitySchema } from "../events/alert.ts";
