/** Typed queries of the rules read model. */
import { listPage } from "../pagination.ts";
import type { Page, ReadModelStore } from "../store.ts";
import { type RuleRow, rules } from "./model.ts";

export function getRule(store: ReadModelStore, id: string): Promise<RuleRow | undefined> {
  return store.get(rules, id);
}

/** Rules by id. */
export function listRules(
  store: ReadModelStore,
  options: { cursor?: string; limit?: number } = {},
): Promise<Page<RuleRow>> {
  return listPage(store, rules, { cursor: options.cursor, limit: options.limit });
}
