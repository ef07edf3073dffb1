/**
 * Firmware and over-the-air update events (topic family `ota`).
 *
 * Keys: `firmware.published` → the firmware id; `ota.campaign.*` → the campaign id;
 * `ota.job.*` → the device id, so one device's update runs through one state machine.
 * Job fields match the device contract (design §6): `devices/{id}/ota` and `devices/{id}/ota/status`.
 */

import { z } from "zod";
import { actorSchema, deviceSelectorSchema, entityIdSchema, reasonSchema } from "./_schemas.ts";
import { defineEvent } from "./definition.ts";

const firmwareVersionSchema = z.string().min(1).max(64);
const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex characters");
const firmwareUrlSchema = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).max(2048);
const sizeSchema = z.int().min(1);

/** `firmware.published` v1: an image devices can download and verify. */
const firmwarePublishedSchema = z.strictObject({
  firmwareId: entityIdSchema,
  version: firmwareVersionSchema,
  url: firmwareUrlSchema,
  sha256: sha256Schema,
  size: sizeSchema,
  /** Device model the image is built for; absent means any. */
  model: z.string().min(1).max(128).optional(),
  by: actorSchema.optional(),
});

/** `ota.campaign.created` v1: roll `firmwareId` out to the devices `target` selects. */
const otaCampaignCreatedSchema = z.strictObject({
  campaignId: entityIdSchema,
  name: z.string().min(1).max(256),
  firmwareId: entityIdSchema,
  target: deviceSelectorSchema,
  by: actorSchema.optional(),
});

/** `ota.campaign.started` / `ota.campaign.paused` v1. */
const otaCampaignTransitionSchema = z.strictObject({
  campaignId: entityIdSchema,
  by: actorSchema.optional(),
});

/** `ota.campaign.completed` v1: every job reached a final state. */
const otaCampaignCompletedSchema = z.strictObject({
  campaignId: entityIdSchema,
  succeeded: z.int().min(0),
  failed: z.int().min(0),
});

/** `ota.job.queued` v1: what is sent to `devices/{id}/ota`. */
const otaJobQueuedSchema = z.strictObject({
  jobId: entityIdSchema,
  campaignId: entityIdSchema.optional(),
  firmwareId: entityIdSchema,
  version: firmwareVersionSchema,
  url: firmwareUrlSchema,
  sha256: sha256Schema,
  size: sizeSchema,
});

/** `ota.job.progress` v1: a non-final status from `devices/{id}/ota/status`. */
const otaJobProgressSchema = z.strictObject({
  jobId: entityIdSchema,
  status: z.enum(["downloading", "installing"]),
  progress: z.number().min(0).max(100).optional(),
  version: firmwareVersionSchema.optional(),
});

/** `ota.job.succeeded` v1: the device runs the new image; `version` as it reports it. */
const otaJobSucceededSchema = z.strictObject({
  jobId: entityIdSchema,
  version: firmwareVersionSchema.optional(),
});

/** `ota.job.failed` v1: reported by the device, or the platform gave up (timeout, cancel). */
const otaJobFailedSchema = z.strictObject({
  jobId: entityIdSchema,
  error: reasonSchema,
  version: firmwareVersionSchema.optional(),
});

export const otaEvents = {
  "firmware.published": defineEvent({ family: "ota", schema: firmwarePublishedSchema }),
  "ota.campaign.created": defineEvent({ family: "ota", schema: otaCampaignCreatedSchema }),
  "ota.campaign.started": defineEvent({ family: "ota", schema: otaCampaignTransitionSchema }),
  "ota.campaign.paused": defineEvent({ family: "ota", schema: otaCampaignTransitionSchema }),
  "ota.campaign.completed": defineEvent({ family: "ota", schema: otaCampaignCompletedSchema }),
  "ota.job.queued": defineEvent({ family: "ota", schema: otaJobQueuedSchema }),
  "ota.job.progress": defineEvent({ family: "ota", schema: otaJobProgressSchema }),
  "ota.job.succeeded": defineEvent({ family: "ota", schema: otaJobSucceededSchema }),
  "ota.job.failed": defineEvent({ family: "ota", schema: otaJobFailedSchema }),
} as const;
