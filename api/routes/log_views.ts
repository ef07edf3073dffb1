/**
 * Views onto the log itself: the dead-letter listing and, when the live seam is wired, the SSE
 * stream of event envelopes (`GET /stream`, implemented by the live hub).
 */
import { z } from "zod";
import { isEventType } from "../../core/events/catalog.ts";
import { roleAllows } from "../../core/users/roles.ts";
import { authenticate } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import type { ApiContext } from "./api_context.ts";
import { route } from "./define.ts";
import { definedOnly } from "./validation.ts";
import { cursorParam, entityId, limitParam } from "./schemas.ts";
import { listDlq } from "../../core/readmodels/mod.ts";

const dlqQuery = z.object({ device: entityId.optional(), cursor: cursorParam, limit: limitParam });

/** `from`: an ISO-8601 date-time or epoch ms, not in the future (there is nothing to replay there). */
const streamQuery = (now: () => number) =>
  z.object({
    types: z.string().transform((text) => text.split(",").map((t) => t.trim()).filter(Boolean))
      .pipe(z.array(z.string().refine(isEventType, { error: "unknown event type" })).max(64))
      .optional(),
    device: entityId.optional(),
    from: z.string().transform((text, ctx) => {
      const ms = /^\d{1,16}$/.test(text)
        ? Number(text)
        : z.iso.datetime({ offset: true }).safeParse(text).success
        ? Date.parse(text)
        : NaN;
      if (!Number.isFinite(ms)) {
        ctx.addIssue({ code: "custom", message: "expected an ISO-8601 date-time or epoch milliseconds" });
      } else if (ms > now()) ctx.addIssue({ code: "custom", message: "must not be in the future" });
      return ms;
    }).optional(),
  });

export function dlqRoutes(ctx: ApiContext) {
  return [
    route({
      method: "get",
      path: "/api/v1/dlq",
      summary: "Rejected uplinks, newest first",
      tag: "dlq",
      permission: "read",
      query: dlqQuery,
      responses: { 200: "One page; `next` continues", 400: "Invalid query" },
      async handle({ c, query }) {
        const page = await listDlq(
          ctx.deps.readModels,
          definedOnly({ deviceId: query.device, cursor: query.cursor, limit: query.limit }),
        );
        return c.json(page);
      },
    }),
  ];
}

/**
 * `GET /stream`, answered by the live seam with the validated filter, the caller (streams are
 * limited per caller) and a way to re-check the caller's credentials while the stream is open.
 */
export function streamRoutes(ctx: ApiContext, live: NonNullable<AppDeps["live"]>) {
  return [
    route({
      method: "get",
      path: "/api/v1/stream",
      summary:
        "Server-Sent Events of event envelopes; `Last-Event-ID` resumes; `from` replays from a time, then live",
      tag: "live",
      permission: "read",
      query: streamQuery(ctx.now),
      responses: {
        200: "text/event-stream",
        400: "Invalid filter or from",
        429: "The caller already holds the most streams allowed",
      },
      handle({ c, query, principal }) {
        const lastEventId = c.req.header("last-event-id");
        return live({
          filter: definedOnly({ types: query.types, device: query.device }),
          ...(lastEventId ? { lastEventId } : {}),
          ...(query.from === undefined ? {} : { from: query.from }),
          signal: c.req.raw.signal,
          caller: principal!.actor,
          // The request's own credentials, authenticated again: a logout, a revoked token or a
          // deleted user fails this as it would fail a new request.
          stillAuthorized: async () => {
            const current = await authenticate(c, ctx.deps.users, ctx.now);
            return current?.actor === principal!.actor && roleAllows(current.role, "read");
          },
        });
      },
    }),
  ];
}
