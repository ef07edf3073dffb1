/**
 * The `ota` processor's state: campaigns (their fold and settings), each campaign's wave plan,
 * every job, the log positions that state has read, and what changed since the last save.
 * Saved through the `ProcessorStateStore` as `campaign:<id>`, `plan:<id>` and `job:<jobId>`
 * entries (and `meta:telemetry`, how far into each telemetry partition it has read in server time); a plan is written once, when its campaign starts, so a job change rewrites only the
 * job and its (small) campaign entry.
 */
import type { StateChanges, StateSnapshot, StateValue } from "../../core/processing/state_store.ts";
import { type CampaignState, isSettled, type JobState, type WaveSettings } from "../../core/ota/mod.ts";

/** What a campaign was created with (`ota.campaign.created`). */
export interface CampaignSettings {
  name: string;
  firmwareId: string;
  version: string;
  sha256: string;
  size: number;
  waves?: WaveSettings;
  timeoutMs: number;
  healthMs?: number;
}

export interface CampaignEntry {
  state: CampaignState;
  settings: CampaignSettings;
}

export class OtaBook {
  readonly campaigns = new Map<string, CampaignEntry>();
  readonly plans = new Map<string, string[][]>();
  readonly jobs = new Map<string, JobState>();
  readonly positions = new Map<string, number>();
  /** Job ids by device (derived). */
  readonly byDevice = new Map<string, string[]>();
  /** Jobs not settled yet: what the tick looks at (derived). */
  readonly active = new Set<string>();
  /** Per telemetry partition, the latest `ingestedAt` read (epoch ms). */
  telemetrySeen: Record<string, number> = {};
  /** The telemetry partition of each device with jobs seen reporting since the start (derived, not saved). */
  readonly telemetryPartitionOf = new Map<string, string>();

  #dirty = new Set<string>();
  #movedPositions = new Set<string>();

  static fromSnapshot(snapshot: StateSnapshot): OtaBook {
    const book = new OtaBook();
    for (const [key, value] of snapshot.entries) {
      const colon = key.indexOf(":");
      const [kind, id] = [key.slice(0, colon), key.slice(colon + 1)];
      if (kind === "campaign") book.campaigns.set(id, value as unknown as CampaignEntry);
      else if (kind === "plan") book.plans.set(id, value as unknown as string[][]);
      else if (kind === "job") book.#index(value as unknown as JobState);
      else if (key === "meta:telemetry") book.telemetrySeen = value as Record<string, number>;
    }
    for (const [key, next] of snapshot.positions) book.positions.set(key, next);
    return book;
  }

  #index(job: JobState): void {
    if (!this.jobs.has(job.jobId)) {
      const ids = this.byDevice.get(job.deviceId);
      if (ids) ids.push(job.jobId);
      else this.byDevice.set(job.deviceId, [job.jobId]);
    }
    this.jobs.set(job.jobId, job);
    if (isSettled(job)) this.active.delete(job.jobId);
    else this.active.add(job.jobId);
  }

  putJob(job: JobState): void {
    this.#index(job);
    this.#dirty.add(`job:${job.jobId}`);
  }

  putCampaign(id: string, entry: CampaignEntry): void {
    this.campaigns.set(id, entry);
    this.#dirty.add(`campaign:${id}`);
  }

  putPlan(id: string, plan: string[][]): void {
    this.plans.set(id, plan);
    this.#dirty.add(`plan:${id}`);
  }

  jobsOf(deviceId: string): JobState[] {
    return (this.byDevice.get(deviceId) ?? []).map((id) => this.jobs.get(id)!);
  }

  /** Telemetry of `position` was read up to `ingestedAt`. */
  sawTelemetry(position: string, ingestedAt: number, deviceId: string): void {
    // Only devices with jobs are asked about: the map stays as small as the campaigns.
    if (this.byDevice.has(deviceId)) this.telemetryPartitionOf.set(deviceId, position);
    if ((this.telemetrySeen[position] ?? -Infinity) >= ingestedAt) return;
    this.telemetrySeen[position] = ingestedAt;
    this.#dirty.add("meta:telemetry");
  }

  /**
   * Up to when `deviceId`'s telemetry has surely been read. A device's events share one partition
   * (its id is the key), so once the processor has seen the device report, that partition's
   * progress is the answer. Otherwise (e.g. since a restart) every telemetry partition read so
   * far must be past it: the slowest one; telemetry in a partition never read is not waited for.
   * An idle partition of other devices no longer holds back a device that keeps reporting.
   */
  telemetryWatermark(deviceId: string): number {
    const own = this.telemetryPartitionOf.get(deviceId);
    if (own !== undefined) return this.telemetrySeen[own] ?? -Infinity;
    const seen = Object.values(this.telemetrySeen);
    return seen.length === 0 ? -Infinity : Math.min(...seen);
  }

  readTo(position: string, next: number): void {
    this.positions.set(position, next);
    this.#movedPositions.add(position);
  }

  changes(): StateChanges {
    const put = new Map<string, StateValue>();
    for (const key of this.#dirty) {
      const colon = key.indexOf(":");
      const [kind, id] = [key.slice(0, colon), key.slice(colon + 1)];
      const value = kind === "job"
        ? this.jobs.get(id)
        : kind === "plan"
        ? this.plans.get(id)
        : kind === "meta"
        ? this.telemetrySeen
        : this.campaigns.get(id);
      put.set(key, value as unknown as StateValue);
    }
    return {
      put,
      remove: [],
      positions: new Map([...this.#movedPositions].map((key) => [key, this.positions.get(key)!])),
    };
  }

  hasChanges(): boolean {
    return this.#dirty.size + this.#movedPositions.size > 0;
  }

  saved(): void {
    this.#dirty.clear();
    this.#movedPositions.clear();
  }
}
