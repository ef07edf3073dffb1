/**
 * Field schemas shared by several routes. Limits match the event schemas of `core/events`, so
 * input the API accepts is input the catalog accepts.
 */
import { z } from "zod";
import { ROLES } from "../../core/users/roles.ts";
import { NO_CONTROL_CHARACTERS, NO_CONTROL_CHARACTERS_MESSAGE } from "../../core/events/storable_text.ts";

const ID_CHARS = "expected 1-128 characters of A-Z a-z 0-9 _ . : -";

/** Device and command ids: safe in MQTT topics and URLs. */
export const entityId = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, ID_CHARS);

export const labelKey = z.string().regex(
  /^[A-Za-z0-9_.\/-]{1,63}$/,
  "expected 1-63 characters of A-Z a-z 0-9 _ . / -",
);

/**
 * Text people read (names, models, label values): no control characters, which make no sense
 * there, and whose NUL PostgreSQL cannot even store (see `core/events/storable_text.ts`).
 */
export const plainText = (limits: { min?: number; max: number }) =>
  z.string().min(limits.min ?? 0).max(limits.max).regex(NO_CONTROL_CHARACTERS, NO_CONTROL_CHARACTERS_MESSAGE);

export const labels = z.record(labelKey, plainText({ max: 256 }));

/** A `?label=key:value` filter, read as `{key, value}`. */
export const labelFilterParam = z.string().regex(/^[^:]+:.*$/, "expected key:value").pipe(
  z.string().transform((text) => {
    const at = text.indexOf(":");
    return { key: text.slice(0, at), value: text.slice(at + 1) };
  }),
).pipe(z.object({ key: labelKey, value: plainText({ max: 256 }) })).optional();

/** Any JSON object: state patches, command parameters. */
export const jsonObject = z.record(z.string(), z.json());

export const metricName = z.string().regex(
  /^[A-Za-z0-9_.:/-]{1,128}$/,
  "expected 1-128 characters of A-Z a-z 0-9 _ . : / -",
);

export const role = z.enum(ROLES);

/** A page size in a query string. */
export const limitParam = z.coerce.number().int().min(1).max(500).optional();

/** An opaque cursor from a previous page's `next`. */
export const cursorParam = z.string().min(1).max(1024).optional();

/** Users and token names: no `:` so they never collide with the `token:<name>` actor. */
export const principalName = z.string().regex(
  /^[A-Za-z0-9_.@-]{1,64}$/,
  "expected 1-64 characters of A-Z a-z 0-9 _ . @ -",
);

/** A point in time in a JSON body: epoch milliseconds or an ISO-8601 date-time, as epoch ms. */
export const instantValue = z.union([
  z.int().min(0).max(8.64e15),
  z.iso.datetime({ offset: true }).transform((text) => Date.parse(text)),
], { error: "expected epoch milliseconds or an ISO-8601 date-time" });
