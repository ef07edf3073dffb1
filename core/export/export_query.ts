/**
 * What an export asks for (design §11), validated once for both the HTTP route and the CLI: the
 * topic family, the event-time range [from, to), the optional device and event types, the format,
 * and `force` (the confirmation a range over the size limit needs). Every refusal names its field.
 */
import { z } from "zod";
import { eventCatalog, type EventType, isEventType } from "../events/catalog.ts";
import { topicFamilies, type TopicFamily } from "../events/topic_families.ts";

export const EXPORT_FORMATS = ["ndjson", "csv", "parquet"] as const;
export type ExportFormat = typeof EXPORT_FORMATS[number];

/** The formats in telemetry's long form (`time,deviceId,metric,value`): telemetry only. */
const TABULAR: readonly ExportFormat[] = ["csv", "parquet"];

export interface ExportQuery {
  topic: TopicFamily;
  /** Event time, inclusive, epoch ms. */
  from: number;
  /** Event time, exclusive, epoch ms. */
  to: number;
  device?: string;
  /** Only these event types (all of the topic's family); absent = every type. */
  types?: EventType[];
  format: ExportFormat;
  /** Go ahead with a range over the size limit. */
  force: boolean;
}

/** Epoch ms (digits) or an ISO-8601 date-time, as epoch ms. */
const instant = z.string().transform((text, ctx) => {
  const ms = /^\d{1,16}$/.test(text)
    ? Number(text)
    : /^\d{4}-\d{2}-\d{2}/.test(text)
    ? Date.parse(text)
    : NaN;
  if (!Number.isFinite(ms) || ms < 0 || ms > 8.64e15) {
    ctx.addIssue({ code: "custom", message: "expected epoch milliseconds or an ISO-8601 date-time" });
    return z.NEVER;
  }
  return ms;
});

/**
 * The query as strings (an HTTP query string, CLI flags) → an `ExportQuery`. `to` defaults to
 * `now()`, `format` to ndjson.
 */
export const exportQuerySchema = (now: () => number) =>
  z.object({
    topic: z.enum(topicFamilies, { error: `expected one of ${topicFamilies.join(", ")}` }),
    from: instant,
    to: instant.optional(),
    device: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, "expected 1-128 characters of A-Z a-z 0-9 _ . : -")
      .optional(),
    types: z.string().transform((text) => text.split(",").map((t) => t.trim()).filter(Boolean))
      .pipe(z.array(z.string().refine(isEventType, { error: "unknown event type" })).min(1).max(64))
      .optional(),
    format: z.enum(EXPORT_FORMATS, { error: `expected one of ${EXPORT_FORMATS.join(", ")}` }).default(
      "ndjson",
    ),
    force: z.enum(["true", "false", "1", "0"], { error: "expected true or false" }).optional(),
  }).superRefine((q, ctx) => {
    const to = q.to ?? now();
    if (q.from >= to) ctx.addIssue({ code: "custom", path: ["from"], message: "from must be before to" });
    if (TABULAR.includes(q.format) && q.topic !== "telemetry") {
      ctx.addIssue({
        code: "custom",
        path: ["format"],
        message:
          `${q.format} holds telemetry in long form (time,deviceId,metric,value): use topic=telemetry, ` +
          "or ndjson for other topics",
      });
    }
    for (const type of (q.types ?? []) as EventType[]) {
      if (isEventType(type) && eventCatalog[type].family !== q.topic) {
        ctx.addIssue({ code: "custom", path: ["types"], message: `${type} is not on topic ${q.topic}` });
      }
    }
  }).transform((q): ExportQuery => ({
    topic: q.topic,
    from: q.from,
    to: q.to ?? now(),
    ...(q.device === undefined ? {} : { device: q.device }),
    ...(q.types === undefined ? {} : { types: q.types as EventType[] }),
    format: q.format,
    force: q.force === "true" || q.force === "1",
  }));

/** Content types and file extensions of the formats. */
export const FORMAT_MEDIA: Readonly<Record<ExportFormat, { contentType: string; extension: string }>> = {
  ndjson: { contentType: "application/x-ndjson; charset=utf-8", extension: "ndjson" },
  csv: { contentType: "text/csv; charset=utf-8; header=present", extension: "csv" },
  parquet: { contentType: "application/vnd.apache.parquet", extension: "parquet" },
};

const compactTime = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "");

/** `aiot-telemetry-20250101T000000Z-20250102T000000Z-dev-1.csv` (no `:`, which some systems refuse). */
export function exportFileName(query: ExportQuery): string {
  const device = query.device ? `-${query.device.replaceAll(":", "_")}` : "";
  return `aiot-${query.topic}-${compactTime(query.from)}-${compactTime(query.to)}${device}.` +
    FORMAT_MEDIA[query.format].extension;
}
