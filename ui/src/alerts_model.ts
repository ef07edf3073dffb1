/**
 * The alerts inbox's list: the rows the API returned, kept current by alert events from the live
 * stream. The stream follows the log and is usually ahead of the alerts read model, so an event
 * is applied to the rows at once, and a reload that returns an older picture of an alert (still
 * `open` after its `alert.cleared` arrived) does not undo it: an alert only moves forward,
 * open → acknowledged → cleared.
 */
import { eventTypeNames } from "../../core/events/type_names.ts";
import type { Alert, AlertStatus, Severity } from "./rules_api_types.ts";
import type { LiveEvent } from "./live_stream.ts";

/** Every `alert.*` type of the catalog (raised, acknowledged, cleared, and any added later). */
export const ALERT_EVENT_TYPES: readonly LiveEvent["type"][] = eventTypeNames.filter((t) =>
  t.startsWith("alert.")
);

export interface AlertFilter {
  /** "active": open or acknowledged (not yet cleared); "": any. */
  status: AlertStatus | "active" | "";
  severity: Severity | "";
  device: string;
  rule: string;
}

const RANK: Record<AlertStatus, number> = { open: 0, acknowledged: 1, cleared: 2 };

/** Whether `alert` belongs in the list under `filter`. */
export function matchesFilter(alert: Alert, filter: AlertFilter): boolean {
  const status = filter.status === "active" ? alert.status !== "cleared" : alert.status === filter.status;
  return (!filter.status || status) &&
    (!filter.severity || alert.severity === filter.severity) &&
    (!filter.device || alert.deviceId === filter.device) &&
    (!filter.rule || alert.ruleId === filter.rule);
}

/**
 * What the events say about alerts, by alert id: each alert's newest known picture. `known` are
 * the rows shown (an `alert.acknowledged` needs the raised alert it changes); an event about an
 * alert neither shown nor raised in `events` is skipped: the next reload brings it.
 */
export function applyAlertEvents(
  known: ReadonlyMap<string, Alert>,
  events: readonly LiveEvent[],
): Map<string, Alert> {
  const changed = new Map<string, Alert>();
  for (const event of events) {
    if (!(ALERT_EVENT_TYPES as readonly string[]).includes(event.type)) continue;
    const data = event.data as Record<string, unknown>;
    const id = String(data.alertId ?? data.id ?? "");
    if (!id) continue;
    const before = changed.get(id) ?? known.get(id);
    const next = alertAfter(before, event.type, data, event.time, event.key);
    if (next) changed.set(id, next);
  }
  return changed;
}

/** A time of the event's data (epoch ms in the catalog's alert events), else the envelope's. */
function timeIn(data: Record<string, unknown>, key: string, fallback: string): string | number {
  const value = data[key];
  return typeof value === "number" || typeof value === "string" ? value : fallback;
}

function alertAfter(
  alert: Alert | undefined,
  type: string,
  data: Record<string, unknown>,
  time: string,
  key: string,
): Alert | undefined {
  const value = data.value as Alert["value"] | undefined;
  const lastValue = data.lastValue as Alert["value"] | undefined;
  if (type === "alert.raised") {
    if (alert) return alert;
    return {
      id: String(data.alertId ?? data.id),
      ruleId: String(data.ruleId ?? ""),
      ruleVersion: Number(data.ruleVersion ?? 0),
      deviceId: String(data.deviceId ?? key),
      severity: (data.severity as Severity | undefined) ?? "warning",
      status: "open",
      raisedAt: timeIn(data, "raisedAt", time),
      value: value ?? null,
      lastValue: value ?? null,
      message: String(data.message ?? ""),
    };
  }
  if (!alert || alert.status === "cleared") return alert;
  if (type === "alert.acknowledged" && alert.status === "open") {
    return { ...alert, status: "acknowledged", acknowledgedAt: timeIn(data, "acknowledgedAt", time) };
  }
  if (type === "alert.cleared") {
    return {
      ...alert,
      status: "cleared",
      clearedAt: timeIn(data, "clearedAt", time),
      ...(lastValue === undefined ? {} : { lastValue }),
    };
  }
  if (type === "alert.updated" && lastValue !== undefined) return { ...alert, lastValue };
  return alert;
}

/**
 * The rows to show: the API's `page`, each alert replaced by its live picture when that one is
 * further along, plus live alerts the page does not hold yet (newly raised, not yet projected),
 * filtered and newest first.
 */
export function mergeAlerts(
  page: readonly Alert[],
  live: ReadonlyMap<string, Alert>,
  filter: AlertFilter,
): Alert[] {
  const rows = new Map(page.map((a) => [a.id, a]));
  for (const [id, alert] of live) {
    const served = rows.get(id);
    if (!served || RANK[alert.status] > RANK[served.status]) {
      rows.set(id, served ? { ...served, ...alert, message: served.message || alert.message } : alert);
    }
  }
  return [...rows.values()].filter((a) => matchesFilter(a, filter))
    .sort((a, b) => timeOf(b.raisedAt) - timeOf(a.raisedAt) || a.id.localeCompare(b.id));
}

/** The `status` query of each request a filter needs (the API filters by one status at a time). */
export function statusQueries(filter: AlertFilter): (AlertStatus | undefined)[] {
  if (filter.status === "active") return ["open", "acknowledged"];
  return [filter.status || undefined];
}

function timeOf(time: string | number): number {
  return typeof time === "number" ? time : Date.parse(time);
}
