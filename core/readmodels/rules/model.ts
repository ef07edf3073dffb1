/**
 * The rules read model: the latest version of every rule, as `GET /rules` shows it. A deleted
 * rule's row goes away (its history stays on the log).
 */
import type { DomainEvent } from "../../events/catalog.ts";
import { canonicalTime } from "../canonical_time.ts";
import { defineReadModel } from "../define.ts";
import type { JsonObject } from "../json_value.ts";

export interface RuleRow {
  id: string;
  version: number;
  name: string;
  enabled: boolean;
  severity: "info" | "warning" | "critical";
  scope?: JsonObject;
  condition: JsonObject;
  clear?: JsonObject;
  actions?: JsonObject[];
  createdAt: string;
  updatedAt: string;
  updatedBy?: string;
}

export function evolveRule(row: RuleRow | undefined, event: DomainEvent): RuleRow | undefined {
  switch (event.type) {
    case "rule.defined":
    case "rule.changed": {
      const { ruleId, version, name, enabled, severity, scope, condition, clear, actions, by } = event.data;
      if (row !== undefined && row.version >= version) return row;
      const at = canonicalTime(event.time);
      return {
        id: ruleId,
        version,
        name,
        enabled,
        severity,
        ...(scope === undefined ? {} : { scope: scope as JsonObject }),
        condition: condition as JsonObject,
        ...(clear === undefined ? {} : { clear: clear as JsonObject }),
        ...(actions === undefined ? {} : { actions: actions as JsonObject[] }),
        createdAt: row?.createdAt ?? at,
        updatedAt: at,
        ...(by === undefined ? {} : { updatedBy: by }),
      };
    }
    case "rule.deleted":
      return undefined;
    default:
      return row;
  }
}

export const rules = defineReadModel<RuleRow, string>({
  name: "rules",
  version: 1,
  key: ["id"],
  columns: {
    id: "text",
    version: "int",
    name: "text",
    enabled: "bool",
    severity: "text",
    scope: "json?",
    condition: "json",
    clear: "json?",
    actions: "json?",
    createdAt: "text",
    updatedAt: "text",
    updatedBy: "text?",
  },
  migrations: [{
    version: 1,
    statements: [
      `CREATE TABLE rules (
        id {key} PRIMARY KEY, version INTEGER NOT NULL, name TEXT NOT NULL, enabled INTEGER NOT NULL,
        severity TEXT NOT NULL, scope TEXT, condition TEXT NOT NULL, clear TEXT, actions TEXT,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT)`,
    ],
  }],
  eventTypes: ["rule.defined", "rule.changed", "rule.deleted"],
  keysOf: (event) => [(event.data as { ruleId: string }).ruleId],
  evolve: (row, event) => evolveRule(row, event),
});
