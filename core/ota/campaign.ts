/**
 * A campaign as a pure fold (design §10): `created → running ⇄ paused → completed | aborted |
 * cancelled`. It knows its waves by size and, for the current wave, how many jobs are not yet
 * settled (finished and, with a health gate, passed it); the `ota` processor feeds it the
 * operator's decisions and every job status change, and acts on what it decides: start or finish
 * a wave, cancel the queued jobs, abort, complete.
 *
 * Abort: once `minFinished` jobs finished (succeeded, failed or timed out), if failed + timed out
 * reach `failurePercent` of the finished ones. Checked on every job change, also while paused,
 * so it triggers exactly at the threshold.
 */
import { isSettled, type JobState, type JobStatus } from "./job.ts";

export type CampaignStatus = "created" | "running" | "paused" | "completed" | "aborted" | "cancelled";

export interface JobCounts {
  queued: number;
  inProgress: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  cancelled: number;
}

export interface AbortCriteria {
  failurePercent: number;
  minFinished: number;
}

export interface CampaignState {
  campaignId: string;
  status: CampaignStatus;
  abort?: AbortCriteria;
  /** Devices per wave, fixed when the campaign starts. */
  waveSizes: number[];
  /** The wave being dispatched (-1 before the start). */
  currentWave: number;
  /** Jobs of the current wave not settled yet. */
  unsettled: number;
  counts: JobCounts;
  abortReason?: string;
}

export type CampaignInput =
  | { kind: "start"; waveSizes: number[] }
  | { kind: "pause" }
  | { kind: "resume" }
  | { kind: "cancel" }
  /** A job changed: `from` undefined for a new job. `settled`: it settled with this change. */
  | { kind: "job"; wave: number; from?: JobStatus; to: JobStatus; settled: boolean };

export type CampaignDecision =
  | { kind: "wave_started"; index: number; size: number }
  /** Dispatch the queued jobs of the current wave again (after a resume). */
  | { kind: "wave_resumed"; index: number }
  | { kind: "wave_finished"; index: number }
  | { kind: "cancel_queued"; reason: "cancelled" | "aborted" }
  | { kind: "aborted"; reason: string; finished: number; failures: number }
  | { kind: "completed"; counts: JobCounts };

export interface CampaignStep {
  state: CampaignState;
  decisions: CampaignDecision[];
}

export const emptyCounts = (): JobCounts => ({
  queued: 0,
  inProgress: 0,
  succeeded: 0,
  failed: 0,
  timedOut: 0,
  cancelled: 0,
});

/** The count a job status falls under (`GET /ota/campaigns/{id}` `counts`). */
export function countOf(status: JobStatus): keyof JobCounts {
  switch (status) {
    case "queued":
      return "queued";
    case "dispatched":
    case "downloading":
    case "installing":
      return "inProgress";
    case "timed_out":
      return "timedOut";
    default:
      return status;
  }
}

export function createdCampaign(campaignId: string, abort?: AbortCriteria): CampaignState {
  return {
    campaignId,
    status: "created",
    ...(abort ? { abort } : {}),
    waveSizes: [],
    currentWave: -1,
    unsettled: 0,
    counts: emptyCounts(),
  };
}

/** Whether an operator's transition applies in `status` (the API answers 409 otherwise). */
export function canApply(status: CampaignStatus, kind: "start" | "pause" | "resume" | "cancel"): boolean {
  switch (kind) {
    case "start":
      return status === "created";
    case "pause":
      return status === "running";
    case "resume":
      return status === "paused";
    case "cancel":
      return status === "created" || status === "running" || status === "paused";
  }
}

const isOpen = (status: CampaignStatus) => status === "running" || status === "paused";

function abortCheck(state: CampaignState, decisions: CampaignDecision[]): CampaignState {
  const { abort, counts } = state;
  if (!abort || !isOpen(state.status)) return state;
  const finished = counts.succeeded + counts.failed + counts.timedOut;
  const failures = counts.failed + counts.timedOut;
  if (finished < abort.minFinished || failures * 100 < abort.failurePercent * finished) return state;
  const reason = `${failures} of ${finished} finished jobs failed or timed out ` +
    `(abort at ${abort.failurePercent}% once ${abort.minFinished} finished)`;
  decisions.push({ kind: "aborted", reason, finished, failures }, {
    kind: "cancel_queued",
    reason: "aborted",
  });
  return { ...state, status: "aborted", abortReason: reason };
}

/** Finishes settled waves and starts the next, or completes after the last. */
function advance(state: CampaignState, decisions: CampaignDecision[]): CampaignState {
  let s = state;
  while (s.status === "running" && s.currentWave >= 0 && s.unsettled === 0) {
    decisions.push({ kind: "wave_finished", index: s.currentWave });
    const next = s.currentWave + 1;
    if (next >= s.waveSizes.length) {
      decisions.push({ kind: "completed", counts: s.counts });
      return { ...s, status: "completed" };
    }
    const size = s.waveSizes[next]!;
    decisions.push({ kind: "wave_started", index: next, size });
    s = { ...s, currentWave: next, unsettled: size };
  }
  return s;
}

export function evolveCampaign(state: CampaignState, input: CampaignInput): CampaignStep {
  const decisions: CampaignDecision[] = [];
  let s = state;
  switch (input.kind) {
    case "start": {
      if (!canApply(s.status, "start") || input.waveSizes.length === 0) break;
      const size = input.waveSizes[0]!;
      s = { ...s, status: "running", waveSizes: input.waveSizes, currentWave: 0, unsettled: size };
      decisions.push({ kind: "wave_started", index: 0, size });
      break;
    }
    case "pause":
      if (canApply(s.status, "pause")) s = { ...s, status: "paused" };
      break;
    case "resume":
      if (!canApply(s.status, "resume")) break;
      s = { ...s, status: "running" };
      decisions.push({ kind: "wave_resumed", index: s.currentWave });
      break;
    case "cancel":
      if (!canApply(s.status, "cancel")) break;
      s = { ...s, status: "cancelled" };
      decisions.push({ kind: "cancel_queued", reason: "cancelled" });
      break;
    case "job": {
      const counts = { ...s.counts };
      if (input.from !== undefined) counts[countOf(input.from)]--;
      counts[countOf(input.to)]++;
      const unsettled = input.settled && input.wave === s.currentWave ? s.unsettled - 1 : s.unsettled;
      s = abortCheck({ ...s, counts, unsettled }, decisions);
      break;
    }
  }
  return { state: advance(s, decisions), decisions };
}

/** The `job` input for a job that went from `before` (undefined: new) to `after`. */
export function jobChange(before: JobState | undefined, after: JobState): CampaignInput | undefined {
  const settledNow = isSettled(after) && !(before && isSettled(before));
  if (before?.status === after.status && !settledNow) return undefined;
  return {
    kind: "job",
    wave: after.wave,
    ...(before ? { from: before.status } : {}),
    to: after.status,
    settled: settledNow,
  };
}
