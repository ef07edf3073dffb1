/**
 * The alerts read model: one row per alert, open → acknowledged → cleared (design §9). Events of
 * one alert may repeat (a redelivered raise derives the same ids): a raise never replaces a row,
 * a cleared alert stays cleared, and `lastValue` only moves forward in event time.
 */
import type { DomainEvent } from "../../events/catalog.ts";
import { canonicalTime } from "../canonical_time.ts";
import { defineReadModel } from "../define.ts";

export type AlertStatus = "open" | "acknowledged" | "cleared";
type MetricValue = number | boolean | string;

export interface AlertRow {
  id: string;
  ruleId: string;
  ruleVersion: number;
  deviceId: string;
  severity: "info" | "warning" | "critical";
  status: AlertStatus;
  raisedAt: string;
  value: MetricValue;
  lastValue: MetricValue;
  /** Event time of `lastValue`. */
  lastValueAt: string;
  message: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  clearedAt?: string;
  clearedBy?: string;
  clearReason?: string;
}

const isoOf = (ms: number) => new Date(ms).toISOString();

export function evolveAlert(row: AlertRow | undefined, event: DomainEvent): AlertRow | undefined {
  if (event.type === "alert.raised") {
    if (row !== undefined) return row;
    const d = event.data;
    return {
      id: d.alertId,
      ruleId: d.ruleId,
      ruleVersion: d.ruleVersion,
      deviceId: d.deviceId,
      severity: d.severity,
      status: "open",
      raisedAt: isoOf(d.raisedAt),
      value: d.value,
      lastValue: d.value,
      lastValueAt: isoOf(d.raisedAt),
      message: d.message,
    };
  }
  if (row === undefined || row.status === "cleared") return row;
  switch (event.type) {
    case "alert.updated":
      return isoOf(event.data.at) > row.lastValueAt
        ? { ...row, lastValue: event.data.lastValue, lastValueAt: isoOf(event.data.at) }
        : row;
    case "alert.acknowledged":
      if (row.status !== "open") return row;
      return {
        ...row,
        status: "acknowledged",
        acknowledgedAt: canonicalTime(event.time),
        acknowledgedBy: event.data.by,
      };
    case "alert.cleared": {
      const { clearedAt, lastValue, reason, by } = event.data;
      return {
        ...row,
        status: "cleared",
        clearedAt: isoOf(clearedAt),
        clearReason: reason,
        ...(lastValue === undefined ? {} : { lastValue }),
        ...(by === undefined ? {} : { clearedBy: by }),
      };
    }
    default:
      return row;
  }
}

export const alerts = defineReadModel<AlertRow, string>({
  name: "alerts",
  version: 1,
  key: ["id"],
  columns: {
    id: "text",
    ruleId: "text",
    ruleVersion: "int",
    deviceId: "text",
    severity: "text",
    status: "text",
    raisedAt: "text",
    value: "json",
    lastValue: "json",
    lastValueAt: "text",
    message: "text",
    acknowledgedAt: "text?",
    acknowledgedBy: "text?",
    clearedAt: "text?",
    clearedBy: "text?",
    clearReason: "text?",
  },
  migrations: [{
    version: 1,
    statements: [
      `CREATE TABLE alerts (
        id {key} PRIMARY KEY, rule_id {key} NOT NULL, rule_version INTEGER NOT NULL, device_id {key} NOT NULL,
        severity TEXT NOT NULL, status TEXT NOT NULL, raised_at TEXT NOT NULL, value TEXT NOT NULL,
        last_value TEXT NOT NULL, last_value_at TEXT NOT NULL, message TEXT NOT NULL, acknowledged_at TEXT,
        acknowledged_by TEXT, cleared_at TEXT, cleared_by TEXT, clear_reason TEXT)`,
      `CREATE INDEX alerts_by_status ON alerts (status, id)`,
      `CREATE INDEX alerts_by_device ON alerts (device_id, id)`,
      `CREATE INDEX alerts_by_rule ON alerts (rule_id, id)`,
    ],
  }],
  eventTypes: ["alert.raised", "alert.updated", "alert.acknowledged", "alert.cleared"],
  keysOf: (event) => [(event.data as { alertId: string }).alertId],
  evolve: (row, event) => evolveAlert(row, event),
});
