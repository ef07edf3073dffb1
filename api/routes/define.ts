/**
 * How an API route is declared: method, path, permission, zod schemas for body and query, the
 * response codes and a handler. `mountRoutes` turns the declarations into Hono routes (auth, the
 * origin check of cookie-authenticated writes, validation, audit, request metrics), and `openapi.ts` turns the same declarations into the
 * OpenAPI document, so the two cannot drift apart.
 */
import type { Context, Hono } from "hono";
import type { z } from "zod";
import { type Permission, roleAllows } from "../../core/users/roles.ts";
import { ForbiddenError, UnauthorizedError, UnsupportedMediaTypeError } from "../http_errors.ts";
import type { AppDeps, HealthDeps } from "../deps.ts";
import type { Principal } from "../auth/principal.ts";
import { assertSameOrigin } from "../auth/cross_origin.ts";
import { parseInput, readJsonBody } from "./validation.ts";

type Method = "get" | "post" | "put" | "patch" | "delete";
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteRequest<Body, Query> {
  c: Context;
  body: Body;
  query: Query;
  /** Path parameters by name, e.g. `{ id: "d1" }`. */
  params: Record<string, string>;
  /** The caller; `undefined` only on public routes (always, unless they `identifyCaller`). */
  principal: Principal | undefined;
  /** Names the actor of a public mutating call (the login) in the audit log. */
  setActor(actor: string): void;
}

export interface Route<
  B extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: Method;
  /** The full path in OpenAPI style: `/api/v1/devices/{id}`. */
  path: string;
  summary: string;
  tag: string;
  /** `public` routes need no credentials. */
  permission: Permission | "public";
  /**
   * On a public route: still identify a caller who sends credentials (invalid ones read as
   * anonymous), e.g. to show admins more. Off by default, so probes of `/healthz` touch no store.
   */
  identifyCaller?: boolean;
  body?: B;
  /**
   * A body that is not JSON and may be large (a firmware image): the wrapper only checks its
   * `Content-Type` (415 otherwise) and the handler streams `c.req.raw.body` itself, under its own
   * size limit; the app-wide 1 MiB limit does not apply. Only on paths without parameters.
   */
  rawBody?: { contentType: string; description: string };
  query?: Q;
  /** Runs before the input is parsed, e.g. a rate limit that must count malformed requests too. */
  guard?: (c: Context) => void | Promise<void>;
  /** Status code → description; error codes are documented with the error shape. */
  responses: Record<number, string>;
  handle(request: RouteRequest<Out<B>, Out<Q>>): Response | Promise<Response>;
}

/** Declares a route with typed `body` and `query`. */
export function route<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
>(
  spec: Route<B, Q>,
): Route {
  return spec as unknown as Route;
}

/** `/devices/{id}` → `/devices/:id`. */
export const honoPath = (path: string): string => path.replaceAll(/\{([A-Za-z0-9_]+)\}/g, ":$1");

/** What the route wrapper needs around each handler. */
export interface RouteHooks {
  /** The caller of the request, or undefined without valid credentials. */
  authenticate(c: Context): Promise<Principal | undefined>;
  /** Records a mutating call with its final status. */
  audit(c: Context, route: Route, actor: string, status: number): Promise<void>;
}

/** Status of an error as `onError` will answer it. */
export function statusOf(error: unknown): number {
  const status = (error as { status?: unknown })?.status;
  return typeof status === "number" && status >= 400 && status < 600 ? status : 500;
}

export function mountRoutes(
  app: Hono,
  routes: readonly Route[],
  deps: HealthDeps & Partial<AppDeps>,
  hooks: RouteHooks | undefined,
): void {
  for (const r of routes) {
    app.on(r.method.toUpperCase(), honoPath(r.path), async (c) => {
      const started = performance.now();
      let actor = "anonymous";
      let status = 500;
      try {
        let principal: Principal | undefined;
        if (r.permission !== "public") {
          if (!hooks) {
            throw new TypeError(`Route ${r.path} needs authentication but the app has no user store`);
          }
          principal = await hooks.authenticate(c);
          if (!principal) {
            throw new UnauthorizedError("Authentication required: send a bearer token or the session cookie");
          }
          actor = principal.actor;
          if (principal.via === "cookie") assertSameOrigin(c, deps.security?.corsOrigins);
          if (!roleAllows(principal.role, r.permission)) {
            throw new ForbiddenError(`Role ${principal.role} may not ${r.permission} here`);
          }
        } else if (r.identifyCaller && hooks) {
          principal = await hooks.authenticate(c);
        }
        await r.guard?.(c);
        const query = r.query ? parseInput(r.query as z.ZodType, c.req.query(), "query") : undefined;
        if (r.rawBody) assertContentType(c, r.rawBody.contentType);
        const body = r.body ? parseInput(r.body, await readJsonBody(c.req.raw), "body") : undefined;
        const response = await r.handle({
          c,
          body,
          query,
          params: c.req.param() as Record<string, string>,
          principal,
          setActor: (name) => (actor = name),
        });
        status = response.status;
        return response;
      } catch (error) {
        status = statusOf(error);
        throw error;
      } finally {
        if (r.method !== "get" && hooks) await hooks.audit(c, r, actor, status);
        deps.observeRequest?.({
          method: r.method.toUpperCase(),
          route: r.path,
          status,
          durationMs: performance.now() - started,
        });
      }
    });
  }
}

/** A raw body must come with its declared media type (parameters aside): 415 otherwise. */
function assertContentType(c: Context, expected: string): void {
  const type = c.req.header("content-type");
  if (type?.split(";")[0]?.trim().toLowerCase() !== expected) {
    throw new UnsupportedMediaTypeError(
      `Expected Content-Type: ${expected}, got ${type === undefined ? "none" : `"${type.slice(0, 100)}"`}`,
    );
  }
}
