/**
 * Who is logged in, as far as the page knows. The session itself is the HttpOnly cookie; this
 * only remembers the user name, role and expiry (never the token) so a reload skips the login
 * form without asking the server — and a fresh visit does not start with a 401.
 */
import type { SessionUser } from "./api_client.ts";

const KEY = "aiot.session";

export function storedSession(): SessionUser | undefined {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? "null");
    if (!saved || Date.parse(saved.expiresAt) <= Date.now()) return undefined;
    return { username: saved.username, role: saved.role };
  } catch {
    return undefined;
  }
}

export function storeSession(user: SessionUser, expiresAt: string): void {
  localStorage.setItem(KEY, JSON.stringify({ ...user, expiresAt }));
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
}

/** Whether the role may change things (register, rotate tokens, send commands, edit state). */
export function canOperate(user: SessionUser): boolean {
  return user.role === "admin" || user.role === "operator";
}
