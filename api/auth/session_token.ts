/**
 * Bearer tokens on the wire and at rest. Tokens are stored as their SHA-256: they are 256-bit
 * random values, so unlike passwords they cannot be guessed and need no slow KDF; a fast hash
 * lets every request find its token by an indexed lookup while a leaked table still yields no
 * usable token.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

/** The session cookie's name. */
export const SESSION_COOKIE = "aiot_session";

/** Hex SHA-256 of a token: its key in the user store. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Where a request's token came from: a browser sends the cookie by itself, even cross-site. */
export type CredentialSource = "bearer" | "cookie";

/** The token of a request: `Authorization: Bearer …` first, else the session cookie. */
export function tokenOf(c: Context): { token: string; via: CredentialSource } | undefined {
  const header = c.req.header("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (match) return { token: match[1]!, via: "bearer" };
  const cookie = getCookie(c, SESSION_COOKIE);
  return cookie === undefined || cookie === "" ? undefined : { token: cookie, via: "cookie" };
}

/** True when the client reached us over TLS, directly or through a proxy that says so. */
function overTls(c: Context): boolean {
  // Trusting X-Forwarded-Proto here is safe even from a client: it can only add `Secure`.
  return new URL(c.req.url).protocol === "https:" ||
    c.req.header("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}

export function setSessionCookie(c: Context, token: string, maxAgeSeconds: number): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Strict",
    secure: overTls(c),
    path: "/",
    maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "Strict", secure: overTls(c) });
}
