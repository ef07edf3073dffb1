/**
 * Schemas shared by several event families. Private to `core/events`: other code validates
 * through the catalog, so limits live in one place.
 */

import { z } from "zod";
import { NO_NUL, NO_NUL_MESSAGE } from "./storable_text.ts";

/**
 * Free text kept by the read models as a text column: no NUL, which PostgreSQL cannot store
 * (see `storable_text.ts`).
 */
export const storableText = () => z.string().regex(NO_NUL, NO_NUL_MESSAGE);

/**
 * Ids that end up in MQTT topics (`devices/{id}/commands/{commandId}`) and URLs, so no `/`,
 * `+`, `#` or whitespace.
 */
export const entityIdSchema = z.string().regex(
  /^[A-Za-z0-9_.:-]{1,128}$/,
  "expected 1-128 characters of A-Z a-z 0-9 _ . : -",
);

/** Who did it: a user name, an API token name or a service (`rules`, `ota`). */
export const actorSchema = storableText().min(1).max(128);

/** A short human-readable explanation (a failure reason, a disconnect reason). */
export const reasonSchema = z.string().min(1).max(1024);

/** ISO-8601 date-time with `Z` or an offset, e.g. `2025-01-31T12:00:00.000Z`. */
export const isoTimeSchema = z.iso.datetime({ offset: true, error: "expected an ISO-8601 date-time" });

/** Milliseconds since the Unix epoch. */
export const epochMillisSchema = z.int().min(0);

/** Metric names as in the device contract (design §6). */
export const metricNameSchema = z.string().regex(
  /^[A-Za-z0-9_.:/-]{1,128}$/,
  "expected 1-128 characters of A-Z a-z 0-9 _ . : / -",
);

/** String metric values: at most 4096 characters (the device contract's 4 KiB). */
export const MAX_STRING_VALUE_LENGTH = 4096;

/**
 * A typed metric value. Numbers stay numbers: `"21.5"` is a string value, never coerced, and
 * NaN/Infinity are refused because JSON cannot carry them.
 */
export const metricValueSchema = z.union([
  z.number(),
  z.boolean(),
  z.string().max(MAX_STRING_VALUE_LENGTH),
], { error: "expected number|boolean|string" });

/** Any JSON object: command parameters, state patches. */
export const jsonObjectSchema = z.record(z.string(), z.json());

/** Labels for selecting devices: short string keys and values. */
export const labelsSchema = z.record(
  z.string().regex(/^[A-Za-z0-9_.\/-]{1,63}$/, "expected 1-63 characters of A-Z a-z 0-9 _ . / -"),
  storableText().max(256),
);

/**
 * Which devices a rule or a campaign applies to. A device matches when it is listed in
 * `deviceIds` (if given) and carries every label in `labels` (if given); `{}` matches every device.
 */
export const deviceSelectorSchema = z.strictObject({
  deviceIds: z.array(entityIdSchema).max(10_000).optional(),
  labels: labelsSchema.optional(),
});
