/**
 * @module
 * The `ota` processor (design §10, the old platform's OTA queue): runs every campaign through its
 * waves and every device's job through its lifecycle, folding the operator's campaign events,
 * the devices' `ota.job.reported` (from `devices/{id}/ota/status`), connections, telemetry and
 * critical alerts (the health gate), and a tick for timeouts and health verdicts. It is the single
 * writer of job, wave and campaign-outcome events.
 *
 * Its state is saved through a `ProcessorStateStore` after every batch's events are durable
 * (`persist`), with the positions it has read, so a restart or kill -9 loses no job state and
 * passes over redelivered events. Downlinks (`devices/{id}/ota`, `devices/{id}/errors`) are sent
 * only after that save: a job is recorded `dispatched` before its device can answer, so no
 * restart re-sends a job to a device that has acknowledged it. (A crash between the save and the
 * send leaves the job `dispatched` without the device having it: it is sent again when the device
 * reconnects, or it times out.)
 */
import { createEvent, type DomainEvent, type EventOf } from "../../core/events/catalog.ts";
import { rejectedPayload } from "../../core/events/dlq.ts";
import type { DeviceGateway } from "../../core/gateway/device_gateway.ts";
import {
  type CampaignDecision,
  type CampaignInput,
  createdCampaign,
  emptyCounts,
  evolveCampaign,
  evolveJob,
  jobChange,
  type JobCounts,
  jobIdOf,
  type JobInput,
  type JobState,
  planWaves,
  queuedJob,
} from "../../core/ota/mod.ts";
import { countOf } from "../../core/ota/campaign.ts";
import type { ProcessorDefinition, ProcessorOutput } from "../../core/processing/processor.ts";
import { positionKey, type ProcessorStateStore } from "../../core/processing/state_store.ts";
import { OtaBook } from "./ota_book.ts";
import type { Logger } from "../../core/logging/mod.ts";
import { campaignEvent, firmwareReported, jobEvent, queuedEvent } from "./ota_events.ts";

/** The signed, expiring download URL of one job (the firmware store makes it). */
export type DownloadUrlFor = (
  job: { jobId: string; deviceId: string; firmwareId: string },
) => Promise<string>;

export interface OtaDeps {
  topics: { ota: string; device: string; telemetry: string; alert: string; dlq: string };
  state: ProcessorStateStore;
  gateway: DeviceGateway;
  downloadUrlFor: DownloadUrlFor;
  now?: () => number;
  /** Failures to send a downlink (the device went away): it gets the job on reconnect. */
  onSendError?: (deviceId: string, error: unknown) => void;
  /** Where send failures are logged without `onSendError`. Default: none. */
  logger?: Logger;
}

export interface OtaProcessor extends ProcessorDefinition {
  init(): Promise<void>;
  /** Campaigns, jobs and jobs not settled (for metrics and tests). */
  size(): { campaigns: number; jobs: number; active: number };
}

const NAME = "ota";
/** The least a silence verdict waits for unread telemetry of its window. */
const HEALTH_GRACE_MS = 30_000;
/**
 * A job sent but never acknowledged is sent again when its device reports telemetry this long
 * after the last send (or after a restart): the device may have subscribed only after the send
 * (a fresh MQTT session), or been away in external broker mode, where connections are not seen.
 */
const RESEND_AFTER_MS = 30_000;
const encoder = new TextEncoder();

interface Outputs {
  ota: DomainEvent[];
  device: DomainEvent[];
  dlq: DomainEvent[];
}

type Downlink = { kind: "job"; jobId: string } | { kind: "error"; deviceId: string; notice: object };

export function otaProcessor(deps: OtaDeps): OtaProcessor {
  const now = deps.now ?? Date.now;
  const eventOptions = { now };
  let book = new OtaBook();
  /** Sent after the next save. */
  let downlinks: Downlink[] = [];
  /** When each unacknowledged job was last sent by this run (wall clock; not state). */
  const lastSent = new Map<string, number>();
  let startedAt = now();

  const campaignOf = (job: JobState) => book.campaigns.get(job.campaignId);

  /** Dispatches the job when its device is online (else it waits for `device.connected`). */
  function dispatchIfOnline(job: JobState, at: number, out: Outputs): void {
    if (!deps.gateway.isConnected(job.deviceId)) return;
    stepJob(job.jobId, { kind: "dispatch", at }, "", out);
    if (book.jobs.get(job.jobId)?.status === "dispatched") downlinks.push({ kind: "job", jobId: job.jobId });
  }

  /** Feeds one input to a job, records its events and tells its campaign. */
  function stepJob(jobId: string, input: JobInput, cause: string, out: Outputs): void {
    const before = book.jobs.get(jobId);
    if (!before) return;
    const { state, transitions } = evolveJob(before, input);
    if (state === before) return;
    book.putJob(state);
    for (const t of transitions) {
      if (t.kind !== "healthy") out.ota.push(jobEvent(state, t, cause, eventOptions));
      if (t.kind === "succeeded") out.device.push(firmwareReported(state, t.at, eventOptions));
    }
    const change = jobChange(before, state);
    const at = transitions[0]?.at ?? ("at" in input ? input.at : input.now);
    if (change) stepCampaign(state.campaignId, change, at, out);
  }

  function stepCampaign(campaignId: string, input: CampaignInput, at: number, out: Outputs): void {
    const entry = book.campaigns.get(campaignId);
    if (!entry) return;
    const { state, decisions } = evolveCampaign(entry.state, input);
    if (state !== entry.state) book.putCampaign(campaignId, { ...entry, state });
    for (const decision of decisions) decide(campaignId, decision, at, out);
  }

  function waveCounts(campaignId: string, index: number): JobCounts {
    const counts = emptyCounts();
    for (const deviceId of book.plans.get(campaignId)?.[index] ?? []) {
      const job = book.jobs.get(jobIdOf(campaignId, deviceId));
      if (job) counts[countOf(job.status)]++;
    }
    return counts;
  }

  function decide(campaignId: string, d: CampaignDecision, at: number, out: Outputs): void {
    const plan = book.plans.get(campaignId) ?? [];
    const jobsOfWave = (index: number) =>
      (plan[index] ?? []).map((deviceId) => jobIdOf(campaignId, deviceId));
    switch (d.kind) {
      case "wave_started":
        out.ota.push(campaignEvent(campaignId, d, at, eventOptions));
        for (const jobId of jobsOfWave(d.index)) {
          stepJob(jobId, { kind: "activate", at }, "", out);
          dispatchIfOnline(book.jobs.get(jobId)!, at, out);
        }
        return;
      case "wave_resumed":
        for (const jobId of jobsOfWave(d.index)) {
          if (book.jobs.get(jobId)?.status !== "queued") continue;
          stepJob(jobId, { kind: "activate", at }, "", out);
          dispatchIfOnline(book.jobs.get(jobId)!, at, out);
        }
        return;
      case "wave_finished":
        out.ota.push(
          campaignEvent(campaignId, { ...d, counts: waveCounts(campaignId, d.index) }, at, eventOptions),
        );
        return;
      case "cancel_queued":
        for (let index = 0; index < plan.length; index++) {
          for (const jobId of jobsOfWave(index)) {
            stepJob(jobId, { kind: "cancel", at, reason: d.reason }, "", out);
          }
        }
        return;
      case "aborted":
      case "completed":
        out.ota.push(campaignEvent(campaignId, d, at, eventOptions));
        return;
    }
  }

  function onCreated(event: EventOf<"ota.campaign.created">): void {
    const d = event.data;
    if (book.campaigns.has(d.campaignId)) return;
    book.putCampaign(d.campaignId, {
      state: createdCampaign(d.campaignId, d.abort),
      settings: {
        name: d.name,
        firmwareId: d.firmwareId,
        version: d.version,
        sha256: d.sha256,
        size: d.size,
        ...(d.waves ? { waves: d.waves } : {}),
        timeoutMs: d.jobTimeoutSeconds * 1000,
        ...(d.health ? { healthMs: d.health.seconds * 1000 } : {}),
      },
    });
  }

  function onStarted(event: EventOf<"ota.campaign.started">, at: number, out: Outputs): void {
    const { campaignId } = event.data;
    const entry = book.campaigns.get(campaignId);
    if (!entry || entry.state.status !== "created") return;
    const devices = [...new Set(event.data.devices)];
    const plan = planWaves(devices, entry.settings.waves);
    book.putPlan(campaignId, plan);
    const { version, timeoutMs, healthMs } = entry.settings;
    plan.forEach((wave, index) => {
      for (const deviceId of wave) {
        const job = queuedJob({
          jobId: jobIdOf(campaignId, deviceId),
          campaignId,
          deviceId,
          wave: index,
          version,
          timeoutMs,
          ...(healthMs ? { healthMs } : {}),
        });
        book.putJob(job);
        out.ota.push(queuedEvent(job, entry.settings, at, eventOptions));
        stepCampaign(campaignId, jobChange(undefined, job)!, at, out);
      }
    });
    stepCampaign(campaignId, { kind: "start", waveSizes: plan.map((w) => w.length) }, at, out);
  }

  function onReported(event: EventOf<"ota.job.reported">, at: number, out: Outputs): void {
    const job = book.jobs.get(event.data.jobId);
    if (!job || job.deviceId !== event.key) {
      // Not this device's job: kept on the DLQ with the reason, and the device is told.
      const statusTopic = `devices/${event.key}/ota/status`;
      const reason = `ota: device ${event.key} has no job "${event.data.jobId}"`.slice(0, 1024);
      out.dlq.push(createEvent("input.rejected", {
        topic: statusTopic,
        reason,
        ...rejectedPayload(encoder.encode(JSON.stringify(event.data))),
        ...(event.key.length <= 128 ? { deviceId: event.key } : {}),
      }, { key: event.key, source: NAME, now }));
      downlinks.push({
        kind: "error",
        deviceId: event.key,
        notice: { topic: statusTopic, reason, at: new Date(at).toISOString() },
      });
      return;
    }
    const { status, progress, version, error } = event.data;
    stepJob(
      job.jobId,
      {
        kind: "report",
        at,
        status,
        ...(progress === undefined ? {} : { progress }),
        ...(version === undefined ? {} : { version }),
        ...(error === undefined ? {} : { error }),
      },
      event.id,
      out,
    );
  }

  function onConnected(deviceId: string, at: number, out: Outputs): void {
    for (const job of book.jobsOf(deviceId)) {
      const campaign = campaignOf(job)?.state;
      if (job.status === "dispatched") downlinks.push({ kind: "job", jobId: job.jobId }); // it may have missed it
      else if (
        job.status === "queued" && campaign?.status === "running" && job.wave <= campaign.currentWave
      ) {
        dispatchIfOnline(job, at, out);
      }
    }
  }

  function onEvent(event: DomainEvent, position: string, out: Outputs): void {
    const at = Date.parse(event.ingestedAt);
    switch (event.type) {
      case "ota.campaign.created":
        return onCreated(event);
      case "ota.campaign.started":
        return onStarted(event, at, out);
      case "ota.campaign.paused":
        return stepCampaign(event.data.campaignId, { kind: "pause" }, at, out);
      case "ota.campaign.resumed":
        return stepCampaign(event.data.campaignId, { kind: "resume" }, at, out);
      case "ota.campaign.cancelled":
        return stepCampaign(event.data.campaignId, { kind: "cancel" }, at, out);
      case "ota.job.reported":
        return onReported(event, at, out);
      case "device.connected":
        return onConnected(event.key, at, out);
      case "telemetry.reported":
        book.sawTelemetry(position, at, event.key);
        return onHealthInput(event, at, out);
      case "alert.raised":
        return onHealthInput(event, at, out);
    }
  }

  /**
   * Telemetry and alerts of a device matter to its jobs waiting for a health verdict; telemetry
   * also shows that a device with an unacknowledged job is there to be sent it again.
   */
  function onHealthInput(
    event: EventOf<"telemetry.reported" | "alert.raised">,
    at: number,
    out: Outputs,
  ): void {
    if (!book.byDevice.has(event.key)) return;
    for (const job of book.jobsOf(event.key)) {
      if (job.status === "dispatched" && event.type === "telemetry.reported") {
        if (now() - (lastSent.get(job.jobId) ?? startedAt) >= RESEND_AFTER_MS) {
          lastSent.set(job.jobId, now()); // once per period, however much it reports meanwhile
          downlinks.push({ kind: "job", jobId: job.jobId });
        }
      }
      if (job.status !== "succeeded" || !job.health || job.health.passed) continue;
      const input: JobInput = event.type === "telemetry.reported"
        ? { kind: "telemetry", at }
        : { kind: "alert", at, critical: event.data.severity === "critical", alertId: event.data.alertId };
      stepJob(job.jobId, input, event.id, out);
    }
  }

  /** An event that breaks the processor goes to the DLQ with its reason; the others go on. */
  function guarded(event: DomainEvent, topic: string, position: string, out: Outputs): void {
    try {
      onEvent(event, position, out);
    } catch (error) {
      const reason = `${NAME}: cannot handle ${event.type} ${event.id}: ${
        error instanceof Error ? error.message : String(error)
      }`;
      out.dlq.push(createEvent("input.rejected", {
        topic,
        reason: reason.slice(0, 1024),
        ...rejectedPayload(encoder.encode(JSON.stringify(event))),
        ...(event.key.length <= 128 ? { deviceId: event.key } : {}),
      }, { key: event.key, source: NAME, now }));
    }
  }

  function output(out: Outputs): ProcessorOutput {
    return {
      append: [
        { topic: deps.topics.ota, events: out.ota },
        { topic: deps.topics.device, events: out.device },
        { topic: deps.topics.dlq, events: out.dlq },
      ],
    };
  }

  async function send(downlink: Downlink): Promise<void> {
    if (downlink.kind === "error") {
      return await deps.gateway.publishToDevice(downlink.deviceId, "errors", downlink.notice, 1);
    }
    const job = book.jobs.get(downlink.jobId);
    const settings = job && campaignOf(job)?.settings;
    if (!job || !settings || job.status !== "dispatched") return; // answered or over meanwhile
    const url = await deps.downloadUrlFor({
      jobId: job.jobId,
      deviceId: job.deviceId,
      firmwareId: settings.firmwareId,
    });
    lastSent.set(job.jobId, now());
    await deps.gateway.publishToDevice(job.deviceId, "ota", {
      jobId: job.jobId,
      version: settings.version,
      url,
      sha256: settings.sha256,
      size: settings.size,
    }, 1);
  }

  const onSendError = deps.onSendError ??
    ((deviceId: string, error: unknown) =>
      deps.logger?.warn("cannot send a job to its device (it gets it on reconnect)", { deviceId, error }));

  return {
    name: NAME,
    topics: [deps.topics.ota, deps.topics.device, deps.topics.telemetry, deps.topics.alert],
    handles: [
      "ota.campaign.created",
      "ota.campaign.started",
      "ota.campaign.paused",
      "ota.campaign.resumed",
      "ota.campaign.cancelled",
      "ota.job.reported",
      "device.connected",
      "telemetry.reported",
      "alert.raised",
    ],
    async init() {
      book = OtaBook.fromSnapshot(await deps.state.load(NAME));
      downlinks = [];
      lastSent.clear();
      startedAt = now();
    },
    // Telemetry matters only from devices with jobs (health windows, sending a job again); the
    // silence verdicts of other devices' partitions fall back to the grace period.
    relevant: () => (type, key) => type !== "telemetry.reported" || book.byDevice.has(key),
    size: () => ({ campaigns: book.campaigns.size, jobs: book.jobs.size, active: book.active.size }),
    handle(events, context) {
      const out: Outputs = { ota: [], device: [], dlq: [] };
      const position = positionKey(context.topic, context.partition);
      const readTo = book.positions.get(position) ?? 0;
      for (let i = 0; i < events.length; i++) {
        const offset = context.offsets[i]!;
        if (offset < readTo) continue; // the saved state has read it already
        guarded(events[i]!, context.topic, position, out);
        book.readTo(position, offset + 1);
      }
      return output(out);
    },
    tick(at) {
      const out: Outputs = { ota: [], device: [], dlq: [] };
      for (const jobId of [...book.active]) {
        const job = book.jobs.get(jobId)!;
        // A queued job's clock stands still while its campaign is paused (a resume restarts it).
        if (job.status === "queued" && campaignOf(job)?.state.status !== "running") continue;
        // A silence verdict only once the telemetry of the window has been read (a processor
        // catching up after a restart must not fail a device whose readings it has not read
        // yet); a fleet that reports nothing at all is judged after a grace period.
        const health = job.health;
        if (
          health && !health.passed && at >= health.until &&
          book.telemetryWatermark(job.deviceId) < health.until
        ) {
          if (at < health.until + Math.max(HEALTH_GRACE_MS, job.healthMs ?? 0)) continue;
        }
        stepJob(jobId, { kind: "time", now: at }, "", out);
      }
      return output(out);
    },
    async persist() {
      if (book.hasChanges()) {
        await deps.state.save(NAME, book.changes());
        book.saved();
      }
      const sending = downlinks;
      downlinks = [];
      await Promise.all(
        sending.map((d) =>
          send(d).catch((error) =>
            onSendError(d.kind === "error" ? d.deviceId : book.jobs.get(d.jobId)?.deviceId ?? "?", error)
          )
        ),
      );
    },
  };
}
