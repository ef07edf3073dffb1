/**
 * `GET /api/v1/retention` (issue 16): how long each store keeps data — each log topic, raw
 * time-series points, each rollup level, the dead letters — who deletes what is past it, and the
 * oldest data held now. Permission `read` (viewers too): the processors view every role sees shows
 * it, and it holds no secret (settings come from the environment; the oldest times are
 * timestamps, the kind of thing `/metrics` publishes anyway).
 */
import type { RetentionReport } from "../../core/retention/mod.ts";
import type { ApiContext } from "./api_context.ts";
import { route } from "./define.ts";

export function retentionRoutes(_ctx: ApiContext, report: () => Promise<RetentionReport>) {
  return [
    route({
      method: "get",
      path: "/api/v1/retention",
      summary: "Retention settings and the oldest data held, per store",
      tag: "retention",
      permission: "read",
      responses: {
        200:
          "`{engines, sweepIntervalMs, items: [{store: log|timeseries|dlq, name, retention, retentionMs, expiry: sweep|ttl|kafka|none, oldest}]}`",
      },
      handle: async ({ c }) => c.json(await report()),
    }),
  ];
}
