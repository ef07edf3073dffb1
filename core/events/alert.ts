/**
 * Rule and alert events (topic family `alert`).
 *
 * Keys: `rule.*` → the rule id; `alert.*` → the device id, so the rules processor is the single
 * writer of one device's alert state. Rules are events so a replay reproduces the alerts.
 */

import { z } from "zod";
import {
  actorSchema,
  deviceSelectorSchema,
  entityIdSchema,
  metricNameSchema,
  metricValueSchema,
} from "./_schemas.ts";
import { defineEvent } from "./definition.ts";

const severitySchema = z.enum(["info", "warning", "critical"]);

/**
 * `metric op threshold`, true for at least `forSeconds` before an alert is raised. Threshold
 * types are compared as they are: `"21.5"` is a string and never equals `21.5`.
 */
const ruleConditionSchema = z.strictObject({
  metric: metricNameSchema,
  op: z.enum([">", ">=", "<", "<=", "==", "!="]),
  threshold: metricValueSchema,
  forSeconds: z.int().min(0).max(86_400 * 7).optional(),
});

/** `rule.defined` and `rule.changed` v1: the full rule; `changed` replaces it as a whole. */
const ruleDefinitionSchema = z.strictObject({
  ruleId: entityIdSchema,
  name: z.string().min(1).max(256),
  condition: ruleConditionSchema,
  severity: severitySchema,
  enabled: z.boolean(),
  /** Devices the rule watches; absent means every device. */
  target: deviceSelectorSchema.optional(),
  by: actorSchema.optional(),
});

/** `rule.deleted` v1: open alerts of the rule are cleared by the rules processor. */
const ruleDeletedSchema = z.strictObject({
  ruleId: entityIdSchema,
  by: actorSchema.optional(),
});

const alertSubject = {
  alertId: entityIdSchema,
  ruleId: entityIdSchema,
  deviceId: entityIdSchema,
};

/** `alert.raised` v1: the condition held; `value` is the metric value that tripped it. */
const alertRaisedSchema = z.strictObject({
  ...alertSubject,
  severity: severitySchema,
  value: metricValueSchema.optional(),
});

/** `alert.acknowledged` v1: a person has seen it; the alert stays open until cleared. */
const alertAcknowledgedSchema = z.strictObject({
  ...alertSubject,
  by: actorSchema,
});

/** `alert.cleared` v1: by the rule when the condition stopped holding (`value`), or by a person. */
const alertClearedSchema = z.strictObject({
  ...alertSubject,
  value: metricValueSchema.optional(),
  by: actorSchema.optional(),
});

export const alertEvents = {
  "rule.defined": defineEvent({ family: "alert", schema: ruleDefinitionSchema }),
  "rule.changed": defineEvent({ family: "alert", schema: ruleDefinitionSchema }),
  "rule.deleted": defineEvent({ family: "alert", schema: ruleDeletedSchema }),
  "alert.raised": defineEvent({ family: "alert", schema: alertRaisedSchema }),
  "alert.acknowledged": defineEvent({ family: "alert", schema: alertAcknowledgedSchema }),
  "alert.cleared": defineEvent({ family: "alert", schema: alertClearedSchema }),
} as const;
