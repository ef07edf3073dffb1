/**
 * Firmware and over-the-air update events (topic family `ota`).
 *
 * Keys: `firmware.*` → the firmware id; `ota.campaign.*` and `ota.wave.*` → the campaign
 * id; `ota.job.*` → the device id, so one device's update runs through one state machine.
 * Writers: the API appends the operator's campaign events (created/started/paused/resumed/
 * cancelled), ingest appends `ota.job.reported` (the device's word), and the `ota` processor is
 * the single writer of every other campaign, wave and job event (design §10).
 * Job fields match the device contract (design §6): `devices/{id}/ota` and `devices/{id}/ota/status`.
 */

import { z } from "zod";
import { actorSchema, deviceSelectorSchema, entityIdSchema, reasonSchema, storableText } from "./_schemas.ts";
import { defineEvent } from "./definition.ts";

const firmwareVersionSchema = z.string().min(1).max(64);
const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex characters");
const sizeSchema = z.int().min(1);

/**
 * `firmware.published` v1: an image uploaded to AIOT's firmware store (content-addressed by
 * `sha256`). It has no URL: devices get a signed, per-job URL of AIOT's own at dispatch.
 */
const firmwarePublishedSchema = z.strictObject({
  firmwareId: entityIdSchema,
  name: storableText().min(1).max(128),
  version: firmwareVersionSchema,
  sha256: sha256Schema,
  size: sizeSchema,
  by: actorSchema.optional(),
});

/** `firmware.deleted` v1: the image is gone from the store; campaigns no longer use it. */
const firmwareDeletedSchema = z.strictObject({
  firmwareId: entityIdSchema,
  by: actorSchema.optional(),
});

const percentSchema = z.number().gt(0, "expected 1-100").max(100, "expected 1-100");

/** How a campaign splits its devices into waves: `size` devices each, or `percent` of them. */
export const otaWavesSchema = z.strictObject({
  size: z.int().min(1, "expected ≥ 1").max(100_000).optional(),
  percent: z.number().min(1, "expected 1-100").max(100, "expected 1-100").optional(),
});

/** Abort once `minFinished` jobs finished if failed + timed out reach `failurePercent` of them. */
export const otaAbortSchema = z.strictObject({
  failurePercent: percentSchema,
  minFinished: z.int().min(1, "expected ≥ 1").max(100_000),
});

/** The health gate: a succeeded device must keep reporting and raise no critical alert this long. */
export const otaHealthSchema = z.strictObject({ seconds: z.int().min(1, "expected ≥ 1").max(86_400 * 7) });

/** At most this many devices in one campaign: they travel in one `ota.campaign.started` event. */
export const MAX_CAMPAIGN_DEVICES = 20_000;

/**
 * `ota.campaign.created` v1: roll `firmwareId` (its version, digest and size copied here, so the
 * campaign does not change when the firmware list does) out to the devices `target` selects.
 */
const otaCampaignCreatedSchema = z.strictObject({
  campaignId: entityIdSchema,
  name: z.string().min(1).max(256),
  firmwareId: entityIdSchema,
  version: firmwareVersionSchema,
  sha256: sha256Schema,
  size: sizeSchema,
  target: deviceSelectorSchema,
  waves: otaWavesSchema.optional(),
  abort: otaAbortSchema.optional(),
  jobTimeoutSeconds: z.int().min(1).max(86_400 * 30),
  health: otaHealthSchema.optional(),
  by: actorSchema.optional(),
});

/**
 * `ota.campaign.started` v1: the target as resolved when the campaign starts (design §10), in
 * the order waves take them.
 */
const otaCampaignStartedSchema = z.strictObject({
  campaignId: entityIdSchema,
  devices: z.array(entityIdSchema).min(1).max(MAX_CAMPAIGN_DEVICES),
  by: actorSchema.optional(),
});

/** `ota.campaign.paused` / `resumed` / `cancelled` v1: an operator's decision. */
const otaCampaignTransitionSchema = z.strictObject({
  campaignId: entityIdSchema,
  by: actorSchema.optional(),
});

const jobCountsSchema = {
  succeeded: z.int().min(0),
  failed: z.int().min(0),
  timedOut: z.int().min(0),
  cancelled: z.int().min(0),
};

/** `ota.campaign.completed` v1: every wave finished (and passed its health gate). */
const otaCampaignCompletedSchema = z.strictObject({ campaignId: entityIdSchema, ...jobCountsSchema });

/** `ota.campaign.aborted` v1: the abort criteria were met; nothing more is dispatched. */
const otaCampaignAbortedSchema = z.strictObject({
  campaignId: entityIdSchema,
  reason: reasonSchema,
  finished: z.int().min(0),
  failures: z.int().min(0),
});

/** `ota.wave.started` v1: wave `index` (from 0) of `size` devices is being dispatched. */
const otaWaveStartedSchema = z.strictObject({
  campaignId: entityIdSchema,
  index: z.int().min(0),
  size: z.int().min(1),
});

/** `ota.wave.finished` v1: every job of the wave finished and passed the health gate. */
const otaWaveFinishedSchema = z.strictObject({
  campaignId: entityIdSchema,
  index: z.int().min(0),
  ...jobCountsSchema,
});

/**
 * `ota.job.queued` v1: one device's part of a campaign. The download URL is not here: it is
 * signed per job and expires, so it is made when the job is dispatched.
 */
const otaJobQueuedSchema = z.strictObject({
  jobId: entityIdSchema,
  campaignId: entityIdSchema,
  firmwareId: entityIdSchema,
  version: firmwareVersionSchema,
  sha256: sha256Schema,
  size: sizeSchema,
  wave: z.int().min(0),
});

/** `ota.job.dispatched` v1: sent to `devices/{id}/ota` (again on reconnect until it answers). */
const otaJobRefSchema = z.strictObject({ jobId: entityIdSchema, campaignId: entityIdSchema });

/**
 * `ota.job.reported` v1: what the device published on `devices/{id}/ota/status` (design §6),
 * as ingest read it. Only the `ota` processor turns reports into job transitions: a report may
 * be late, repeated, for another job or for a version other than the campaign's.
 */
const otaJobReportedSchema = z.strictObject({
  jobId: entityIdSchema,
  status: z.enum(["downloading", "installing", "succeeded", "failed"]),
  progress: z.number().min(0).max(100).optional(),
  version: firmwareVersionSchema.optional(),
  error: reasonSchema.optional(),
});

/** `ota.job.progress` v1: the job moved on to `downloading` / `installing`, or its progress did. */
const otaJobProgressSchema = z.strictObject({
  jobId: entityIdSchema,
  campaignId: entityIdSchema,
  status: z.enum(["downloading", "installing"]),
  progress: z.number().min(0).max(100).optional(),
});

/** `ota.job.succeeded` v1: the device runs the campaign's version (the health gate may follow). */
const otaJobSucceededSchema = z.strictObject({
  jobId: entityIdSchema,
  campaignId: entityIdSchema,
  version: firmwareVersionSchema,
});

/**
 * `ota.job.failed` v1: the device reported a failure, reported success with another version,
 * or failed the health gate (`error: "health"`, with what happened in `detail`).
 */
const otaJobFailedSchema = z.strictObject({
  jobId: entityIdSchema,
  campaignId: entityIdSchema,
  error: reasonSchema,
  detail: reasonSchema.optional(),
  version: firmwareVersionSchema.optional(),
});

/** `ota.job.timed_out` v1: the platform gave up waiting (`status`: where the job was). */
const otaJobTimedOutSchema = z.strictObject({
  jobId: entityIdSchema,
  campaignId: entityIdSchema,
  status: z.enum(["queued", "dispatched", "downloading", "installing"]),
});

/** `ota.job.cancelled` v1: never sent, because its campaign was cancelled or aborted. */
const otaJobCancelledSchema = z.strictObject({
  jobId: entityIdSchema,
  campaignId: entityIdSchema,
  reason: z.enum(["cancelled", "aborted"]),
});

export const otaEvents = {
  "firmware.published": defineEvent({ family: "ota", schema: firmwarePublishedSchema }),
  "firmware.deleted": defineEvent({ family: "ota", schema: firmwareDeletedSchema }),
  "ota.campaign.created": defineEvent({ family: "ota", schema: otaCampaignCreatedSchema }),
  "ota.campaign.started": defineEvent({ family: "ota", schema: otaCampaignStartedSchema }),
  "ota.campaign.paused": defineEvent({ family: "ota", schema: otaCampaignTransitionSchema }),
  "ota.campaign.resumed": defineEvent({ family: "ota", schema: otaCampaignTransitionSchema }),
  "ota.campaign.cancelled": defineEvent({ family: "ota", schema: otaCampaignTransitionSchema }),
  "ota.campaign.aborted": defineEvent({ family: "ota", schema: otaCampaignAbortedSchema }),
  "ota.campaign.completed": defineEvent({ family: "ota", schema: otaCampaignCompletedSchema }),
  "ota.wave.started": defineEvent({ family: "ota", schema: otaWaveStartedSchema }),
  "ota.wave.finished": defineEvent({ family: "ota", schema: otaWaveFinishedSchema }),
  "ota.job.queued": defineEvent({ family: "ota", schema: otaJobQueuedSchema }),
  "ota.job.dispatched": defineEvent({ family: "ota", schema: otaJobRefSchema }),
  "ota.job.reported": defineEvent({ family: "ota", schema: otaJobReportedSchema }),
  "ota.job.progress": defineEvent({ family: "ota", schema: otaJobProgressSchema }),
  "ota.job.succeeded": defineEvent({ family: "ota", schema: otaJobSucceededSchema }),
  "ota.job.failed": defineEvent({ family: "ota", schema: otaJobFailedSchema }),
  "ota.job.timed_out": defineEvent({ family: "ota", schema: otaJobTimedOutSchema }),
  "ota.job.cancelled": defineEvent({ family: "ota", schema: otaJobCancelledSchema }),
} as const;
