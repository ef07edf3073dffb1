/**
 * `POST /auth/login` (rate limited per client address), `POST /auth/logout`, `GET /auth/me`,
 * `POST /auth/password`. A login answers with a bearer token and sets the same token as an
 * HttpOnly, SameSite=Strict session cookie; unknown users cost the same scrypt work as wrong
 * passwords. Changing one's password needs the current one (a stolen session alone cannot lock
 * the owner out), shares the login rate limit (it is a password oracle too) and ends the user's
 * other sessions.
 */
import { z } from "zod";
import { ForbiddenError, TooManyRequestsError, UnauthorizedError } from "../http_errors.ts";
import { createLoginRateLimiter } from "../auth/login_rate_limit.ts";
import { clearSessionCookie, hashToken, setSessionCookie } from "../auth/session_token.ts";
import type { Context } from "hono";
import type { ApiContext } from "./api_context.ts";
import { newPassword } from "./access.ts";
import { route } from "./define.ts";
import { hashPasswordOf } from "../auth/password_hash.ts";
import { hostKey } from "../../core/client_host.ts";

const loginBody = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});

const passwordChange = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword,
});

export const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;

export function authRoutes(ctx: ApiContext, clientAddress: (c: Context) => string) {
  const { deps } = ctx;
  const security = deps.security ?? {};
  const ttlMs = security.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const limiter = createLoginRateLimiter({ limit: security.loginAttemptsPerMinute ?? 10, now: ctx.now });
  // Compared against when the user does not exist, so timing does not reveal user names.
  let decoy: Promise<{ algorithm: string; hash: string }> | undefined;
  // Before the body is parsed, so malformed attempts count too.
  const rateLimited = (c: Context) => {
    // Per host: an IPv6 client counts by its /64 (it can pick a fresh address from it per attempt).
    const verdict = limiter.attempt(hostKey(clientAddress(c)));
    if (!verdict.allowed) {
      throw new TooManyRequestsError(
        `Too many login attempts; retry in ${verdict.retryAfterSeconds} s`,
        verdict.retryAfterSeconds,
      );
    }
  };

  return [
    route({
      method: "post",
      path: "/api/v1/auth/login",
      summary: "Log in: a bearer token and a session cookie",
      tag: "auth",
      permission: "public",
      body: loginBody,
      responses: {
        200: "Logged in",
        400: "Invalid body",
        401: "Wrong credentials",
        429: "Too many attempts",
      },
      guard: rateLimited,
      async handle({ c, body, setActor }) {
        setActor(body.username);
        const user = await deps.users.getUser(body.username);
        const stored = user?.password ?? await (decoy ??= hashPasswordOf(deps)(deps.generateToken()));
        const ok = await deps.verifySecret(body.password, stored);
        if (!user || !ok) throw new UnauthorizedError("Wrong username or password");
        const token = deps.generateToken();
        const now = ctx.now();
        const expiresAt = new Date(now + ttlMs).toISOString();
        await deps.users.deleteExpiredTokens(new Date(now).toISOString());
        await deps.users.saveToken({
          kind: "session",
          hash: await hashToken(token),
          username: user.username,
          createdAt: new Date(now).toISOString(),
          expiresAt,
        });
        setSessionCookie(c, token, Math.floor(ttlMs / 1000));
        return c.json({ token, expiresAt, user: { username: user.username, role: user.role } });
      },
    }),
    route({
      method: "post",
      path: "/api/v1/auth/logout",
      summary: "End the current session (API tokens are revoked with DELETE /tokens/{name})",
      tag: "auth",
      permission: "read",
      responses: { 204: "Logged out", 401: "Not logged in" },
      async handle({ c, principal }) {
        if (principal?.kind === "session") await deps.users.deleteToken(principal.tokenHash);
        clearSessionCookie(c);
        return c.body(null, 204);
      },
    }),
    route({
      method: "post",
      path: "/api/v1/auth/password",
      summary: "Change your own password; your other sessions end",
      tag: "auth",
      permission: "read",
      body: passwordChange,
      responses: {
        204: "Changed",
        400: "Invalid body",
        401: "Not logged in",
        403: "Wrong current password, or an API token (it has no password)",
        429: "Too many attempts",
      },
      guard: rateLimited,
      async handle({ c, body, principal }) {
        if (principal?.kind !== "session") {
          throw new ForbiddenError("Only a logged-in user has a password to change; API tokens have none");
        }
        const user = await deps.users.getUser(principal.actor);
        if (!user || !await deps.verifySecret(body.currentPassword, user.password)) {
          throw new ForbiddenError("The current password is wrong");
        }
        const password = await hashPasswordOf(deps)(body.newPassword);
        await deps.users.setPassword(user.username, password, { keepSession: principal.tokenHash });
        return c.body(null, 204);
      },
    }),
    route({
      method: "get",
      path: "/api/v1/auth/me",
      summary: "Who the credentials belong to",
      tag: "auth",
      permission: "read",
      responses: { 200: "The caller", 401: "Not logged in" },
      handle: ({ c, principal }) =>
        c.json({ actor: principal!.actor, role: principal!.role, kind: principal!.kind }),
    }),
  ];
}
