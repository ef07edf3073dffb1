/**
 * Job transitions and campaign decisions as events, at the time they happened, with ids derived
 * from what caused them (see `core/ota/ids.ts`): deriving the same transition again after a
 * crash repeats the event instead of inventing a second one.
 */
import { createEvent, type DomainEvent } from "../../core/events/catalog.ts";
import { type JobCounts, type JobState, type JobTransition, otaEventIdOf } from "../../core/ota/mod.ts";
import type { CampaignSettings } from "./ota_book.ts";

const SOURCE = "ota";

export interface EventOptions {
  now: () => number;
}

/** `cause`: the id of the event that caused it, or "" for what happens once per job. */
export function jobEvent(
  job: JobState,
  t: Exclude<JobTransition, { kind: "healthy" }>,
  cause: string,
  { now }: EventOptions,
): DomainEvent {
  const ref = { jobId: job.jobId, campaignId: job.campaignId };
  const options = (kind: string) => ({
    key: job.deviceId,
    source: SOURCE,
    time: t.at,
    now,
    id: otaEventIdOf(job.jobId, kind, kind === "progress" ? cause : "", t.at),
  });
  switch (t.kind) {
    case "dispatched":
      return createEvent("ota.job.dispatched", ref, options(t.kind));
    case "progress":
      return createEvent("ota.job.progress", {
        ...ref,
        status: t.status,
        ...(t.progress === undefined ? {} : { progress: t.progress }),
      }, options(t.kind));
    case "succeeded":
      return createEvent("ota.job.succeeded", { ...ref, version: t.version }, options(t.kind));
    case "failed":
      return createEvent("ota.job.failed", {
        ...ref,
        error: t.error,
        ...(t.detail === undefined ? {} : { detail: t.detail }),
        ...(t.version === undefined ? {} : { version: t.version }),
      }, options(t.kind));
    case "timed_out":
      return createEvent("ota.job.timed_out", { ...ref, status: t.status }, options(t.kind));
    case "cancelled":
      return createEvent("ota.job.cancelled", { ...ref, reason: t.reason }, options(t.kind));
  }
}

export function queuedEvent(job: JobState, settings: CampaignSettings, at: number, { now }: EventOptions) {
  return createEvent("ota.job.queued", {
    jobId: job.jobId,
    campaignId: job.campaignId,
    firmwareId: settings.firmwareId,
    version: settings.version,
    sha256: settings.sha256,
    size: settings.size,
    wave: job.wave,
  }, { key: job.deviceId, source: SOURCE, time: at, now, id: otaEventIdOf(job.jobId, "queued", "", at) });
}

/** The device's reported firmware version (its shadow), once a job succeeded. */
export function firmwareReported(job: JobState, at: number, { now }: EventOptions) {
  return createEvent("device.state.reported", { patch: { firmware: job.version } }, {
    key: job.deviceId,
    source: SOURCE,
    time: at,
    now,
    id: otaEventIdOf(job.jobId, "firmware", "", at),
  });
}

type CampaignEventOf =
  | { kind: "wave_started"; index: number; size: number }
  | { kind: "wave_finished"; index: number; counts: JobCounts }
  | { kind: "aborted"; reason: string; finished: number; failures: number }
  | { kind: "completed"; counts: JobCounts };

export function campaignEvent(
  campaignId: string,
  e: CampaignEventOf,
  at: number,
  { now }: EventOptions,
): DomainEvent {
  const options = (kind: string) => ({
    key: campaignId,
    source: SOURCE,
    time: at,
    now,
    id: otaEventIdOf(campaignId, kind, "", at),
  });
  const counts = (c: JobCounts) => ({
    succeeded: c.succeeded,
    failed: c.failed,
    timedOut: c.timedOut,
    cancelled: c.cancelled,
  });
  switch (e.kind) {
    case "wave_started":
      return createEvent(
        "ota.wave.started",
        { campaignId, index: e.index, size: e.size },
        options(`wave.started:${e.index}`),
      );
    case "wave_finished":
      return createEvent(
        "ota.wave.finished",
        { campaignId, index: e.index, ...counts(e.counts) },
        options(`wave.finished:${e.index}`),
      );
    case "aborted":
      return createEvent("ota.campaign.aborted", {
        campaignId,
        reason: e.reason.slice(0, 1024),
        finished: e.finished,
        failures: e.failures,
      }, options("aborted"));
    case "completed":
      return createEvent("ota.campaign.completed", { campaignId, ...counts(e.counts) }, options("completed"));
  }
}
