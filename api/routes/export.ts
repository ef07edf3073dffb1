/**
 * `GET /export` (design §11): a topic's events over an event-time range as a file download —
 * NDJSON envelopes (upcast, redacted), or telemetry in long form as CSV or Parquet. The body is a
 * pull stream (`core/export`): the log is read as the client takes bytes, and a client that goes
 * away cancels the stream and aborts the read. A failure after the first byte aborts the response
 * (the transfer never ends cleanly), so a cut file cannot pass for a complete one.
 */
import { exportQuerySchema, prepareExport } from "../../core/export/mod.ts";
import type { AppDeps } from "../deps.ts";
import type { ApiContext } from "./api_context.ts";
import { route } from "./define.ts";

const DAY_MS = 86_400_000;

/** `AIOT_EXPORT_MAX_EVENTS` when the composition root gives none. */
export const DEFAULT_EXPORT_MAX_EVENTS = 10_000_000;

export function exportRoutes(ctx: ApiContext, source: NonNullable<AppDeps["exportLog"]>) {
  const latenessMs = ctx.deps.latenessMs ?? DAY_MS;
  const maxEvents = ctx.deps.exportMaxEvents ?? DEFAULT_EXPORT_MAX_EVENTS;
  return [route({
    method: "get",
    path: "/api/v1/export",
    summary: "Events of a topic over an event-time range [from, to) as a download: ndjson, or telemetry as " +
      "csv|parquet (long form time,deviceId,metric,value)",
    tag: "export",
    permission: "read",
    query: exportQuerySchema(ctx.now),
    responses: {
      200: "The file (content-disposition: attachment), streamed",
      400: "Invalid query, or a range over AIOT_EXPORT_MAX_EVENTS without force=true",
    },
    async handle({ c, query }) {
      const signal = c.req.raw.signal;
      const prepared = await prepareExport(source, query, {
        topics: ctx.deps.topics,
        latenessMs,
        maxEvents,
        now: ctx.now,
        signal,
      });
      return new Response(prepared.stream(), {
        headers: {
          "content-type": prepared.contentType,
          "content-disposition": `attachment; filename="${prepared.fileName}"`,
          "cache-control": "no-store",
          "x-aiot-export-scan-records": String(prepared.estimated),
        },
      });
    },
  })];
}
