/**
 * @module
 * The rules read model (latest version of each rule) and its queries.
 */
export { evolveRule, type RuleRow, rules } from "./model.ts";
export { getRule, listRules } from "./queries.ts";
