/**
 * The dashboard's HTTP client: same-origin `fetch` with the session cookie (never a stored
 * token), JSON in and out, and the API's error body (`{"error": {"code", "message"}}`) turned
 * into an `ApiError`. A 401 means the session ended; `onUnauthorized` sends the user to login.
 */
import type { LatestValue, MetricValue } from "../../core/timeseries/time_series_store.ts";
import type { Role } from "../../core/users/roles.ts";
import type { CommandRow, DeviceRow, DeviceStateRow, DlqRow, JsonObject } from "../../core/readmodels/mod.ts";

export type { CommandRow, DlqRow, JsonObject, LatestValue, MetricValue };
export type {
  Alert,
  AlertQuery,
  AlertStatus,
  BacktestRequest,
  BacktestResult,
  BacktestTransition,
  Comparison,
  Delivery,
  Rule,
  RuleBody,
  RuleCondition,
  Severity,
  Webhook,
} from "./rules_api_types.ts";
import type { Alert, AlertQuery, Delivery, Rule, RuleBody, Webhook } from "./rules_api_types.ts";

/** A device as the API shows it (the credential hash never leaves the server). */
export type Device = Omit<DeviceRow, "credential">;

export type DeviceState = Omit<DeviceStateRow, "deviceId" | "lastSeen"> & { lastSeen: string | null };

export type { Role };

export interface SessionUser {
  username: string;
  role: Role;
}

export interface Point {
  t: number;
  v: number;
}

/** One offending field of a 400, by its dotted path in the request body (`condition.value`). */
export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly FieldIssue[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let unauthorized: () => void = () => {};

/** Called whenever the API answers 401 to anything but the login itself. */
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const response = await fetch(`/api/v1${path}`, {
    method,
    credentials: "same-origin",
    ...(signal ? { signal } : {}),
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return await answerOf<T>(response, path);
}

/** The JSON of a response to `path`, or its error body as an `ApiError`. */
export async function answerOf<T>(response: Response, path: string): Promise<T> {
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    if (response.status === 401 && path !== "/auth/login") unauthorized();
    const error = json?.error ?? {};
    throw new ApiError(
      response.status,
      error.code ?? "error",
      error.message ?? `HTTP ${response.status}`,
      Array.isArray(error.details) ? error.details : [],
    );
  }
  return json as T;
}

const enc = encodeURIComponent;

function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length ? "?" + entries.map(([k, v]) => `${k}=${enc(String(v))}`).join("&") : "";
}

export const api = {
  login: (username: string, password: string) =>
    request<{ user: SessionUser; expiresAt: string }>("POST", "/auth/login", { username, password }),
  logout: () => request<void>("POST", "/auth/logout"),
  me: () => request<{ actor: string; role: Role }>("GET", "/auth/me"),
  listDevices: (options: { label?: string; cursor?: string; limit?: number } = {}) =>
    request<{ items: Device[]; next?: string }>("GET", `/devices${query(options)}`),
  device: (id: string) => request<Device>("GET", `/devices/${enc(id)}`),
  rotateToken: (id: string) => request<{ id: string; token: string }>("POST", `/devices/${enc(id)}/token`),
  metrics: (id: string) => request<{ items: LatestValue[] }>("GET", `/devices/${enc(id)}/metrics`),
  telemetry: (
    id: string,
    q: { metric: string; from?: number; to?: number; bucket?: string; agg?: string },
  ) =>
    request<{ points: { t: number; v: MetricValue }[] }>("GET", `/devices/${enc(id)}/telemetry${query(q)}`),
  state: (id: string) => request<DeviceState>("GET", `/devices/${enc(id)}/state`),
  /** The shadow as it was at `at` (ISO-8601, not in the future), folded from the log. */
  stateAt: (id: string, at: string) =>
    request<DeviceState>("GET", `/devices/${enc(id)}/state${query({ at })}`),
  patchDesired: (id: string, patch: JsonObject) =>
    request<DeviceState>("PATCH", `/devices/${enc(id)}/state/desired`, patch),
  sendCommand: (id: string, command: { name: string; params?: JsonObject; timeoutSeconds?: number }) =>
    request<{ commandId: string; status: string }>("POST", `/devices/${enc(id)}/commands`, command),
  commands: (id: string) => request<{ items: CommandRow[] }>("GET", `/devices/${enc(id)}/commands?limit=20`),
  dlq: (deviceId: string) =>
    request<{ items: DlqRow[] }>("GET", `/dlq${query({ device: deviceId, limit: 20 })}`),
  alerts: (q: AlertQuery = {}) =>
    request<{ items: Alert[]; next?: string }>("GET", `/alerts${query({ ...q })}`),
  ackAlert: (id: string) => request<Alert>("POST", `/alerts/${enc(id)}/ack`),
  clearAlert: (id: string) => request<Alert>("POST", `/alerts/${enc(id)}/clear`),
  rules: () => request<{ items: Rule[]; next?: string }>("GET", "/rules"),
  rule: (id: string) => request<Rule>("GET", `/rules/${enc(id)}`),
  createRule: (body: RuleBody) => request<Rule>("POST", "/rules", body),
  updateRule: (id: string, body: RuleBody) => request<Rule>("PUT", `/rules/${enc(id)}`, body),
  deleteRule: (id: string) => request<unknown>("DELETE", `/rules/${enc(id)}`),
  webhooks: () => request<{ items: Webhook[] }>("GET", "/webhooks"),
  createWebhook: (body: { url: string; types: string[]; description?: string }) =>
    request<{ id: string; secret: string }>("POST", "/webhooks", body),
  deleteWebhook: (id: string) => request<unknown>("DELETE", `/webhooks/${enc(id)}`),
  deliveries: (id: string) => request<{ items: Delivery[] }>("GET", `/webhooks/${enc(id)}/deliveries`),
};

/** Every page of the device list (500 a request), for the fleet view. */
export async function allDevices(label?: string): Promise<Device[]> {
  const devices: Device[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.listDevices({
      limit: 500,
      ...(label ? { label } : {}),
      ...(cursor ? { cursor } : {}),
    });
    devices.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return devices;
}
