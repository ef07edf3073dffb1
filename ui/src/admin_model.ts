/**
 * Small pure pieces of the admin pages: labels as editable text (`site=north, kind=fridge`) and
 * the audit log filter. The API filters the audit log by nothing but its cursor, so the filter
 * applies to the pages loaded in the browser (and says how many were searched).
 */
import type { AuditRecord } from "../../core/users/user_store.ts";
import type { Role } from "../../core/users/roles.ts";

/** `site=north, kind=fridge` (commas or new lines between pairs); throws a `RangeError` naming the bad pair. */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const raw of text.split(/[,\n]/)) {
    const pair = raw.trim();
    if (!pair) continue;
    const at = pair.indexOf("=");
    const key = at > 0 ? pair.slice(0, at).trim() : "";
    if (!key) throw new RangeError(`Cannot read label "${pair}": expected key=value`);
    if (Object.hasOwn(labels, key)) throw new RangeError(`Label "${key}" is given twice`);
    labels[key] = pair.slice(at + 1).trim();
  }
  return labels;
}

export function labelsText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(", ");
}

export interface AuditFilter {
  /** Exact actor (`admin`, `token:ci`). */
  actor?: string;
  /** HTTP method, e.g. `DELETE`. */
  method?: string;
  /** Part of the target path, case-insensitive. */
  target?: string;
  /** Only answers of 400 and above. */
  failedOnly?: boolean;
}

export function filterAudit(records: readonly AuditRecord[], filter: AuditFilter): AuditRecord[] {
  const target = filter.target?.trim().toLowerCase();
  return records.filter((r) =>
    (!filter.actor || r.actor === filter.actor) &&
    (!filter.method || r.action.startsWith(`${filter.method} `)) &&
    (!target || r.target.toLowerCase().includes(target)) &&
    (!filter.failedOnly || r.status >= 400)
  );
}

/** The roles offered in forms, least power first (the API's `ROLES` order). */
export const ROLE_OPTIONS = ["viewer", "operator", "admin"] as const satisfies readonly Role[];
