/**
 * The wire shapes of rules, alerts, backtests and webhooks as design.md §9 defines them. Times
 * are read with `toMs` (ISO-8601 or epoch milliseconds), so either spelling from the API works.
 */
import type { JsonObject } from "../../core/readmodels/mod.ts";
import type { MetricValue } from "../../core/timeseries/time_series_store.ts";

export type Severity = "info" | "warning" | "critical";
export type Comparison = ">" | ">=" | "<" | "<=" | "==" | "!=";
export type AlertStatus = "open" | "acknowledged" | "cleared";
export type Time = string | number;

export type RuleCondition =
  | { kind: "threshold"; metric: string; op: Comparison; value: MetricValue; forSeconds?: number }
  | { kind: "range"; metric: string; min: number; max: number; forSeconds?: number }
  | { kind: "rate"; metric: string; op: Comparison; value: number }
  | { kind: "event"; type: string }
  | { kind: "absence"; metric?: string; seconds: number };

export interface RuleAction {
  kind: "command";
  name: string;
  params?: JsonObject;
}

/** What `POST /rules` and `PUT /rules/{id}` take (and `POST /rules/backtest` as `rule`). */
export interface RuleBody {
  id?: string;
  name: string;
  enabled?: boolean;
  severity: Severity;
  scope?: { devices?: string[]; labels?: Record<string, string> };
  condition: RuleCondition;
  clear?: { hysteresis?: number };
  actions?: RuleAction[];
}

export type Rule = RuleBody & { id: string; version: number };

export interface Alert {
  id: string;
  ruleId: string;
  ruleVersion: number;
  deviceId: string;
  severity: Severity;
  status: AlertStatus;
  raisedAt: Time;
  acknowledgedAt?: Time;
  clearedAt?: Time;
  value: MetricValue | null;
  lastValue: MetricValue | null;
  message: string;
}

export type AlertQuery = {
  status?: AlertStatus;
  severity?: Severity;
  device?: string;
  rule?: string;
  cursor?: string;
};

export interface BacktestRequest {
  rule: RuleBody;
  from: string;
  to: string;
  devices?: string[];
}

export interface BacktestTransition {
  deviceId: string;
  raisedAt: Time;
  clearedAt: Time | null;
  value: MetricValue | null;
  severity: Severity;
}

export interface BacktestResult {
  transitions: BacktestTransition[];
  /** More alerts were raised than the server lists: `stats` still count every one. */
  truncated?: true;
  stats: { events: number; devices: number; raised: number; open: number; timeInAlertSeconds: number };
}

export interface Webhook {
  id: string;
  url: string;
  types: string[];
  description?: string;
  /** False once the endpoint answered 410 Gone (or was disabled otherwise), with why. */
  enabled?: boolean;
  disabledReason?: string;
  createdAt?: Time;
}

export interface Delivery {
  id: string;
  eventId: string;
  type: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  nextAttemptAt?: Time;
  createdAt?: Time;
}

/** Epoch milliseconds of an API time (ISO-8601 text or a number). */
export function toMs(time: Time): number {
  return typeof time === "number" ? time : Date.parse(time);
}
