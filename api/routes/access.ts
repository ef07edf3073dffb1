/**
 * Admin routes: users (`/users`, and setting another user's password), machine API tokens
 * (`/tokens`, the token shown once) and the audit log (`/audit`). Passwords are stored as scrypt
 * hashes, tokens as SHA-256 (see `auth/session_token.ts`). Deleting a user revokes the API tokens
 * it created: a token carries its own role, so it would otherwise keep a removed admin's power.
 */
import { z } from "zod";
import { NotFoundError } from "../../core/errors.ts";
import { hashToken } from "../auth/session_token.ts";
import type { ApiContext } from "./api_context.ts";
import { route } from "./define.ts";
import { definedOnly } from "./validation.ts";
import { cursorParam, limitParam, principalName, role } from "./schemas.ts";
import { hashPasswordOf } from "../auth/password_hash.ts";

/** A password a user or an admin chooses (also `POST /auth/password`'s `newPassword`). */
export const newPassword = z.string().min(8, "expected at least 8 characters").max(1024);

const newUser = z.strictObject({ username: principalName, password: newPassword, role });

const passwordReset = z.strictObject({ password: newPassword });

const newToken = z.strictObject({ name: principalName, role });

const auditQuery = z.object({ cursor: cursorParam, limit: limitParam });

export function accessRoutes(ctx: ApiContext) {
  const { users } = ctx.deps;
  const iso = () => new Date(ctx.now()).toISOString();
  return [
    route({
      method: "post",
      path: "/api/v1/users",
      summary: "Create a user",
      tag: "users",
      permission: "manage",
      body: newUser,
      responses: { 201: "Created", 400: "Invalid body", 409: "Username taken" },
      async handle({ c, body }) {
        const createdAt = iso();
        await users.createUser({
          username: body.username,
          role: body.role,
          password: await hashPasswordOf(ctx.deps)(body.password),
          createdAt,
        });
        return c.json({ username: body.username, role: body.role, createdAt }, 201);
      },
    }),
    route({
      method: "get",
      path: "/api/v1/users",
      summary: "List users",
      tag: "users",
      permission: "manage",
      responses: { 200: "Users by name" },
      async handle({ c }) {
        const items = (await users.listUsers()).map(({ username, role, createdAt }) => ({
          username,
          role,
          createdAt,
        }));
        return c.json({ items });
      },
    }),
    route({
      method: "delete",
      path: "/api/v1/users/{name}",
      summary: "Delete a user, end its sessions and revoke the API tokens it created (never the last admin)",
      tag: "users",
      permission: "manage",
      responses: { 204: "Deleted", 404: "No such user", 409: "The last admin" },
      async handle({ c, params }) {
        if (!await users.deleteUser(params.name!)) {
          throw new NotFoundError(`User "${params.name}" does not exist`);
        }
        return c.body(null, 204);
      },
    }),
    route({
      method: "post",
      path: "/api/v1/users/{name}/password",
      summary: "Set a user's password (a forgotten one, a generated first one) and end its sessions",
      tag: "users",
      permission: "manage",
      body: passwordReset,
      responses: { 204: "Set", 400: "Invalid body", 404: "No such user" },
      async handle({ c, params, body }) {
        if (!await users.setPassword(params.name!, await hashPasswordOf(ctx.deps)(body.password))) {
          throw new NotFoundError(`User "${params.name}" does not exist`);
        }
        return c.body(null, 204);
      },
    }),
    route({
      method: "post",
      path: "/api/v1/tokens",
      summary: "Create a machine API token (shown once)",
      tag: "tokens",
      permission: "manage",
      body: newToken,
      responses: {
        201: "Created; the token is in the body and nowhere else",
        400: "Invalid body",
        409: "Name taken",
      },
      async handle({ c, body, principal }) {
        const token = ctx.deps.generateToken();
        const createdAt = iso();
        await users.saveToken({
          kind: "api",
          hash: await hashToken(token),
          name: body.name,
          role: body.role,
          createdAt,
          createdBy: principal!.actor,
        });
        return c.json({ token, name: body.name, role: body.role, createdAt }, 201);
      },
    }),
    route({
      method: "get",
      path: "/api/v1/tokens",
      summary: "List API tokens (never the tokens themselves)",
      tag: "tokens",
      permission: "manage",
      responses: { 200: "Tokens by name" },
      async handle({ c }) {
        return c.json({ items: await users.listApiTokens() });
      },
    }),
    route({
      method: "delete",
      path: "/api/v1/tokens/{name}",
      summary: "Revoke an API token",
      tag: "tokens",
      permission: "manage",
      responses: { 204: "Revoked", 404: "No such token" },
      async handle({ c, params }) {
        if (!await users.deleteApiToken(params.name!)) {
          throw new NotFoundError(`Token "${params.name}" does not exist`);
        }
        return c.body(null, 204);
      },
    }),
    route({
      method: "get",
      path: "/api/v1/audit",
      summary: "The audit log of mutating calls, newest first",
      tag: "audit",
      permission: "manage",
      query: auditQuery,
      responses: { 200: "One page", 400: "Invalid cursor or limit" },
      async handle({ c, query }) {
        return c.json(
          await users.listAudit(definedOnly(query)),
        );
      },
    }),
  ];
}
