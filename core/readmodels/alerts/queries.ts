/** Typed queries of the alerts read model. */
import { listPage } from "../pagination.ts";
import type { Page, ReadModelStore, RowFilter } from "../store.ts";
import { type AlertRow, alerts, type AlertStatus } from "./model.ts";

export function getAlert(store: ReadModelStore, id: string): Promise<AlertRow | undefined> {
  return store.get(alerts, id);
}

export interface ListAlertsOptions {
  status?: AlertStatus;
  deviceId?: string;
  ruleId?: string;
  severity?: AlertRow["severity"];
  cursor?: string;
  /** Default 50, at most 500 (larger values are clamped). */
  limit?: number;
}

/** Alerts newest first (alert ids sort by raise time). */
export function listAlerts(store: ReadModelStore, options: ListAlertsOptions = {}): Promise<Page<AlertRow>> {
  const where: RowFilter<AlertRow>[] = [];
  if (options.status) where.push({ field: "status", op: "=", value: options.status });
  if (options.deviceId) where.push({ field: "deviceId", op: "=", value: options.deviceId });
  if (options.ruleId) where.push({ field: "ruleId", op: "=", value: options.ruleId });
  if (options.severity) where.push({ field: "severity", op: "=", value: options.severity });
  return listPage(store, alerts, { where, descending: true, cursor: options.cursor, limit: options.limit });
}
