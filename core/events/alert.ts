/**
 * Rule and alert events (topic family `alert`), design §9.
 *
 * Keys: `rule.*` → the rule id; `alert.*` → the device id, so the rules processor is the single
 * writer of one device's alert state. Rules are events so a replay reproduces the alerts.
 *
 * Times inside `data` (`raisedAt`, `clearedAt`, `at`) are **event time** in epoch milliseconds:
 * the telemetry point's own time, never the wall clock, so a backtest of the same data gives the
 * same alerts. The envelope `time` of an alert event is that same instant.
 */

import { z } from "zod";
import {
  actorSchema,
  entityIdSchema,
  epochMillisSchema,
  jsonObjectSchema,
  labelsSchema,
  metricNameSchema,
  metricValueSchema,
  storableText,
} from "./_schemas.ts";
import { defineEvent } from "./definition.ts";

export const severitySchema = z.enum(["info", "warning", "critical"]);

const MAX_FOR_SECONDS = 86_400 * 7;
/** A finite number (JSON cannot carry NaN or Infinity, and a rule must not compare with them). */
const finite = () => z.number().refine(Number.isFinite, "expected a finite number");
const forSeconds = z.int().min(0, "expected ≥ 0").max(MAX_FOR_SECONDS).optional();
const compareOp = z.enum([">", ">=", "<", "<=", "==", "!="]);

/**
 * The condition of a rule (design §9). Values are compared as they are: `"21.5"` is a string and
 * never equals `21.5`; ordering ops apply to numbers only.
 */
export const ruleConditionSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("threshold"),
    metric: metricNameSchema,
    op: compareOp,
    value: z.union([finite(), z.boolean(), storableText().max(4096)]),
    forSeconds,
  }),
  z.strictObject({
    kind: z.literal("range"),
    metric: metricNameSchema,
    min: finite(),
    max: finite(),
    forSeconds,
  }).refine((c) => c.min <= c.max, { path: ["max"], error: "expected max ≥ min" }),
  /** Change per second between consecutive points of the metric. */
  z.strictObject({ kind: z.literal("rate"), metric: metricNameSchema, op: compareOp, value: finite() }),
  /** A device event (`devices/{id}/events` type): raises, never clears by itself. */
  z.strictObject({
    kind: z.literal("event"),
    type: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, "expected 1-128 characters of A-Z a-z 0-9 _ . : -"),
  }),
  /** No telemetry (of `metric`, or any) for `seconds`: raised by a timer live, by the gap in a backtest. */
  z.strictObject({
    kind: z.literal("absence"),
    metric: metricNameSchema.optional(),
    seconds: z.int().min(1, "expected ≥ 1").max(MAX_FOR_SECONDS),
  }),
], { error: "expected kind threshold|range|rate|event|absence" });

/** Which devices a rule watches: listed ids and/or every label; empty means every device. */
export const ruleScopeSchema = z.strictObject({
  devices: z.array(entityIdSchema).min(1, "expected at least one device").max(10_000).optional(),
  labels: labelsSchema.optional(),
});

/** What a rule does when it raises, besides the alert: send the device a command. */
export const ruleActionSchema = z.strictObject({
  kind: z.literal("command"),
  name: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, "expected 1-128 characters of A-Z a-z 0-9 _ . : -"),
  params: jsonObjectSchema.optional(),
});

/** The rule as configured: the body of `POST /rules` minus `id`, with defaults applied. */
export const ruleSettingsSchema = z.strictObject({
  name: storableText().min(1).max(256),
  enabled: z.boolean(),
  severity: severitySchema,
  scope: ruleScopeSchema.optional(),
  condition: ruleConditionSchema,
  clear: z.strictObject({ hysteresis: finite().min(0, "expected ≥ 0").optional() }).optional(),
  actions: z.array(ruleActionSchema).max(8).optional(),
});

/** `rule.defined` and `rule.changed` v1: the whole rule at `version`; `changed` replaces it. */
const ruleVersionSchema = ruleSettingsSchema.extend({
  ruleId: entityIdSchema,
  version: z.int().min(1),
  by: actorSchema.optional(),
});

/** `rule.deleted` v1: the rules processor clears the rule's open alerts. */
const ruleDeletedSchema = z.strictObject({
  ruleId: entityIdSchema,
  by: actorSchema.optional(),
});

const alertSubject = {
  alertId: entityIdSchema,
  ruleId: entityIdSchema,
  deviceId: entityIdSchema,
};

/** `alert.raised` v1: the condition held long enough at `raisedAt` with `value`. */
const alertRaisedSchema = z.strictObject({
  ...alertSubject,
  ruleVersion: z.int().min(1),
  severity: severitySchema,
  raisedAt: epochMillisSchema,
  value: metricValueSchema,
  message: z.string().max(1024),
});

/**
 * `alert.updated` v1 (not in design §3's list, added with §9's `lastValue`): the latest violating
 * value of an open alert. Written at most once per `ALERT_UPDATE_EVERY_MS` of event time per alert,
 * not for every point.
 */
const alertUpdatedSchema = z.strictObject({
  ...alertSubject,
  at: epochMillisSchema,
  lastValue: metricValueSchema,
});

/** `alert.acknowledged` v1: a person has seen it; the alert stays open until cleared. */
const alertAcknowledgedSchema = z.strictObject({
  ...alertSubject,
  by: actorSchema,
});

/**
 * `alert.cleared` v1: by the rule when a point was back to normal (`value` is that point's), or
 * by a person (`by`), or because the rule went away, was disabled or no longer covers the device
 * (`reason`).
 */
const alertClearedSchema = z.strictObject({
  ...alertSubject,
  clearedAt: epochMillisSchema,
  value: metricValueSchema.optional(),
  lastValue: metricValueSchema.optional(),
  reason: z.enum(["normal", "manual", "rule deleted", "rule disabled", "out of scope"]),
  by: actorSchema.optional(),
});

export const alertEvents = {
  "rule.defined": defineEvent({ family: "alert", schema: ruleVersionSchema }),
  "rule.changed": defineEvent({ family: "alert", schema: ruleVersionSchema }),
  "rule.deleted": defineEvent({ family: "alert", schema: ruleDeletedSchema }),
  "alert.raised": defineEvent({ family: "alert", schema: alertRaisedSchema }),
  "alert.updated": defineEvent({ family: "alert", schema: alertUpdatedSchema }),
  "alert.acknowledged": defineEvent({ family: "alert", schema: alertAcknowledgedSchema }),
  "alert.cleared": defineEvent({ family: "alert", schema: alertClearedSchema }),
} as const;
