/**
 * What a device measured and what it is: telemetry (raw or downsampled), the latest value of
 * each metric, and the shadow (reported / desired / delta), now or at a past time (`?at=`). `PATCH …/state/desired` appends
 * `device.state.desired`; publishing the delta to the device is the commands processor's job.
 */
import { z } from "zod";
import { createEvent } from "../../core/events/catalog.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../core/errors.ts";
import {
  DEFAULT_STATE_LIMITS,
  type StateLimits,
  stateLimitViolation,
} from "../../core/devices/state_limits.ts";
import { bucketCount, parseBucket } from "../../core/timeseries/rollup.ts";
import {
  type Aggregation,
  AGGREGATIONS,
  DEFAULT_QUERY_LIMIT,
  MAX_QUERY_BUCKETS,
} from "../../core/timeseries/time_series_store.ts";
import type { ApiContext } from "./api_context.ts";
import { route } from "./define.ts";
import { jsonObject, metricName } from "./schemas.ts";
import {
  deviceStateAt,
  type DeviceStateRow,
  getDevice,
  getDeviceState,
  listDeviceMetrics,
  mergePatch,
} from "../../core/readmodels/mod.ts";

const HOUR_MS = 3_600_000;

/** Epoch ms (digits) or ISO-8601, as epoch ms. */
const instant = z.string().transform((text, ctx) => {
  const ms = /^\d{1,16}$/.test(text)
    ? Number(text)
    : /^\d{4}-\d{2}-\d{2}/.test(text)
    ? Date.parse(text)
    : NaN;
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: "custom", message: "expected epoch milliseconds or an ISO-8601 date-time" });
    return z.NEVER;
  }
  return ms;
});

/** The range a query asks for: `to` defaults to now, `from` to an hour before `to`. */
const effectiveRange = (q: { from?: number | undefined; to?: number | undefined }, now: number) => {
  const to = q.to ?? now;
  return { from: q.from ?? to - HOUR_MS, to };
};

/**
 * The query string; `now` fills in a missing `to` so the bucket count is checked on the range the
 * store will be asked for. Raw points are capped by `limit`; buckets by their number, because a
 * bucket no rollup level serves is aggregated from every raw point in it.
 */
const telemetryQuery = (now: () => number) =>
  z.object({
    metric: metricName,
    from: instant.optional(),
    to: instant.optional(),
    bucket: z.string().transform((text, ctx) => {
      try {
        return { text, ms: parseBucket(text) };
      } catch {
        ctx.addIssue({ code: "custom", message: 'expected e.g. "30s", "1m", "1h", "1d"' });
        return z.NEVER;
      }
    }).optional(),
    agg: z.enum(AGGREGATIONS as [Aggregation, ...Aggregation[]]).optional(),
    limit: z.coerce.number().int().min(1).max(DEFAULT_QUERY_LIMIT).optional(),
  }).superRefine((q, ctx) => {
    if (q.agg !== undefined && q.bucket === undefined) {
      ctx.addIssue({ code: "custom", path: ["agg"], message: "agg needs a bucket" });
    }
    if (q.from !== undefined && q.to !== undefined && q.from >= q.to) {
      ctx.addIssue({ code: "custom", path: ["from"], message: "from must be before to" });
      return;
    }
    if (q.bucket === undefined) return;
    const { from, to } = effectiveRange(q, now());
    const buckets = bucketCount(from, to, q.bucket.ms);
    if (buckets > MAX_QUERY_BUCKETS) {
      ctx.addIssue({
        code: "custom",
        path: ["bucket"],
        message: `${buckets} buckets of ${q.bucket.text} in [from, to), limit ${MAX_QUERY_BUCKETS}: ` +
          "choose a wider bucket or a shorter range",
      });
    }
  });

/**
 * A JSON merge patch within the state limits. The limits are checked on the top-level object
 * before the values are parsed as JSON: that parse recurses, and a deeply nested body would
 * exhaust the stack (a 500) before any limit could refuse it.
 */
const desiredPatch = (limits: StateLimits) =>
  z.record(z.string(), z.unknown())
    .refine((patch) => Object.keys(patch).length > 0, {
      error: "expected a JSON merge patch with at least one key",
      abort: true,
    })
    .superRefine((patch, ctx) => {
      const violation = stateLimitViolation(patch, limits, "desired state patch");
      if (violation) ctx.addIssue({ code: "custom", message: violation });
    })
    .pipe(jsonObject);

/**
 * `?at=`: the shadow as it was at that time (epoch ms or ISO-8601), on the log's clock: the events
 * appended at or before it. Not in the future: the log does not know that state yet.
 */
const stateQuery = (now: () => number) =>
  z.object({
    at: instant.refine((ms) => ms <= now(), { error: "must not be in the future" }).optional(),
  });

/** The shadow of a device that has none yet. */
const emptyState = (deviceId: string): DeviceStateRow => ({
  deviceId,
  reported: {},
  desired: {},
  delta: {},
  version: 0,
  connected: false,
});

const stateView = (row: DeviceStateRow) => ({
  reported: row.reported,
  desired: row.desired,
  delta: row.delta,
  version: row.version,
  connected: row.connected,
  lastSeen: row.lastSeen ?? null,
});

export function deviceDataRoutes(ctx: ApiContext) {
  const { readModels, timeseries } = ctx.deps;
  const device = async (id: string) => {
    const row = await getDevice(readModels, id);
    if (!row) throw new NotFoundError(`Device "${id}" does not exist`);
    return row;
  };
  const shadow = async (id: string) => (await getDeviceState(readModels, id)) ?? emptyState(id);
  const state = async (id: string) => stateView(await shadow(id));
  const stateLimits = { ...DEFAULT_STATE_LIMITS, ...ctx.deps.stateLimits };
  /**
   * Time travel: the device's events appended up to `at`, folded by the live reducer. The cost is
   * a scan of the device's partition of the device and telemetry topics from their first retained
   * record to `at` (other devices' records in those partitions are read and skipped); it yields
   * to the event loop as it goes and stops when the client goes away.
   */
  const shadowAt = (id: string, at: number, signal: AbortSignal) => {
    const { readLog, topics } = ctx.deps;
    if (!readLog) {
      throw new ValidationError("Invalid query: at: this API process does not read the log", {
        details: [{ path: "at", message: "this API process does not read the log" }],
      });
    }
    const read = (topic: string) => readLog(topic, { fromMs: 0, toMs: at + 1, key: id, signal });
    return deviceStateAt(id, [read(topics.device), read(topics.telemetry)]);
  };

  return [
    route({
      method: "get",
      path: "/api/v1/devices/{id}/telemetry",
      summary: "Points of one metric in [from, to) (default: the last hour); with `bucket`, aggregated",
      tag: "telemetry",
      permission: "read",
      query: telemetryQuery(ctx.now),
      responses: { 200: "Points, oldest first", 400: "Invalid query", 404: "No such device" },
      async handle({ c, params, query }) {
        await device(params.id!);
        const { from, to } = effectiveRange(query, ctx.now());
        const range = {
          deviceId: params.id!,
          metric: query.metric,
          from,
          to,
          ...(query.limit ? { limit: query.limit } : {}),
        };
        if (query.bucket === undefined) {
          const points = await timeseries.range(range);
          return c.json({ deviceId: params.id!, metric: query.metric, agg: null, bucket: null, points });
        }
        const agg = query.agg ?? "avg";
        const points = await timeseries.downsample({ ...range, bucketMs: query.bucket.ms, agg });
        return c.json({ deviceId: params.id!, metric: query.metric, agg, bucket: query.bucket.text, points });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/devices/{id}/metrics",
      summary:
        "Each metric of the device with its latest value (by event time), its time, unit, quality and point count",
      tag: "telemetry",
      permission: "read",
      responses: { 200: "Metrics by name", 404: "No such device" },
      async handle({ c, params }) {
        await device(params.id!);
        const rows = await listDeviceMetrics(readModels, params.id!);
        const items = rows.map(({ metric, value, t, unit, quality, count }) => ({
          metric,
          value,
          t,
          ...(unit === undefined ? {} : { unit }),
          quality: quality ?? "good",
          count,
        }));
        return c.json({ items });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/devices/{id}/state",
      summary:
        "The shadow: reported, desired, delta, version, connected, lastSeen; with `at`, as it was then",
      tag: "state",
      permission: "read",
      query: stateQuery(ctx.now),
      responses: { 200: "The shadow", 400: "Invalid at", 404: "No such device" },
      async handle({ c, params, query }) {
        await device(params.id!);
        if (query.at === undefined) return c.json(await state(params.id!));
        return c.json(stateView(await shadowAt(params.id!, query.at, c.req.raw.signal)));
      },
    }),
    route({
      method: "patch",
      path: "/api/v1/devices/{id}/state/desired",
      summary: "Merge a JSON merge patch (RFC 7386) into the desired state; the delta goes to the device",
      tag: "state",
      permission: "operate",
      body: desiredPatch(stateLimits),
      responses: {
        202: "Accepted: the shadow after the patch",
        400: "Invalid patch",
        404: "No such device",
        409: "Decommissioned",
      },
      async handle({ c, params, body, principal }) {
        const row = await device(params.id!);
        if (row.status === "decommissioned") throw new ConflictError(`Device "${row.id}" is decommissioned`);
        // Small patches add up: the document they build is capped too. Checked against the read
        // model, which may lag the log by the last few patches (read-your-writes waits for it).
        const merged = mergePatch((await shadow(row.id)).desired, body);
        const violation = stateLimitViolation(merged, stateLimits, "desired state after the patch");
        if (violation) {
          throw new ValidationError(`Invalid request body: ${violation}`, {
            details: [{ path: "", message: violation }],
          });
        }
        const event = createEvent("device.state.desired", { patch: body, by: principal!.actor }, {
          key: row.id,
          source: "api",
          now: ctx.now,
        });
        await ctx.append(ctx.deps.topics.device, [event]);
        return c.json({ ...(await state(row.id)), eventId: event.id }, 202);
      },
    }),
  ];
}
