/**
 * @module
 * OTA campaigns and jobs (design §10) as pure folds: the job state machine with its health gate
 * (`evolveJob`), the campaign state machine with waves and abort criteria (`evolveCampaign`), the
 * wave plan and the ids the `ota` processor derives. No I/O: the processor drives them.
 */
export {
  type CampaignDecision,
  type CampaignInput,
  type CampaignState,
  type CampaignStatus,
  type CampaignStep,
  canApply,
  countOf,
  createdCampaign,
  emptyCounts,
  evolveCampaign,
  jobChange,
  type JobCounts,
} from "./campaign.ts";
export {
  evolveJob,
  FINAL_JOB_STATUSES,
  isFinal,
  isSettled,
  type JobInput,
  type JobState,
  type JobStatus,
  type JobStep,
  type JobTransition,
  queuedJob,
} from "./job.ts";
export { jobIdOf, otaEventIdOf } from "./ids.ts";
export { planWaves, type WaveSettings, waveSize } from "./waves.ts";
