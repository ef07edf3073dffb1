/**
 * The HTTP calls of the admin pages and the operations views (users, API tokens, the audit log,
 * device registration and decommissioning, one's own password, the fleet-wide DLQ, `/readyz`
 * and `/metrics`), beside `api_client.ts` so that file does not grow with every page. Same rules:
 * same-origin with the session cookie, errors as `ApiError`, a 401 ends the session.
 */
import type { ApiTokenInfo, AuditRecord } from "../../core/users/user_store.ts";
import { answerOf, type Device, type DlqRow, type Role } from "./api_client.ts";

export type { ApiTokenInfo, AuditRecord };

export interface UserInfo {
  username: string;
  role: Role;
  createdAt: string;
}

export interface ReadinessCheck {
  name: string;
  ok: boolean;
  /** Only for admins. */
  detail?: string;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api/v1${path}`, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return await answerOf<T>(response, path);
}

const enc = encodeURIComponent;

const search = (params: Record<string, string | number | undefined>) => {
  const defined = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined);
  return defined.length ? `?${new URLSearchParams(defined.map(([k, v]) => [k, String(v)]))}` : "";
};

export const adminApi = {
  registerDevice: (body: { id?: string; name?: string; labels?: Record<string, string> }) =>
    call<Device & { token: string }>("POST", "/devices", body),
  updateDevice: (id: string, changes: { name?: string; labels?: Record<string, string> }) =>
    call<Device>("PATCH", `/devices/${enc(id)}`, changes),
  decommissionDevice: (id: string) => call<Device>("DELETE", `/devices/${enc(id)}`),
  devices: (cursor?: string) =>
    call<{ items: Device[]; next?: string }>("GET", `/devices${search({ cursor, limit: 50 })}`),

  users: () => call<{ items: UserInfo[] }>("GET", "/users"),
  createUser: (body: { username: string; password: string; role: Role }) =>
    call<UserInfo>("POST", "/users", body),
  deleteUser: (name: string) => call<void>("DELETE", `/users/${enc(name)}`),
  setPassword: (name: string, password: string) =>
    call<void>("POST", `/users/${enc(name)}/password`, { password }),
  changeOwnPassword: (currentPassword: string, newPassword: string) =>
    call<void>("POST", "/auth/password", { currentPassword, newPassword }),

  tokens: () => call<{ items: ApiTokenInfo[] }>("GET", "/tokens"),
  createToken: (body: { name: string; role: Role }) =>
    call<{ token: string; name: string; role: Role }>("POST", "/tokens", body),
  revokeToken: (name: string) => call<void>("DELETE", `/tokens/${enc(name)}`),

  audit: (cursor?: string) =>
    call<{ items: AuditRecord[]; next?: string }>("GET", `/audit${search({ cursor, limit: 200 })}`),

  dlq: (options: { device?: string; cursor?: string }) =>
    call<{ items: DlqRow[]; next?: string }>("GET", `/dlq${search({ ...options, limit: 200 })}`),

  /** `/readyz` answers 503 with the same body when something is not ready: both are an answer. */
  async readiness(): Promise<{ status: string; checks: ReadinessCheck[] }> {
    const response = await fetch("/readyz", { credentials: "same-origin" });
    if (response.status === 503) return await response.json();
    return await answerOf(response, "/readyz");
  },
  /** Prometheus text; public, outside `/api/v1`. */
  async metricsText(): Promise<string> {
    const response = await fetch("/metrics", { credentials: "same-origin" });
    if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
    return await response.text();
  },
};
