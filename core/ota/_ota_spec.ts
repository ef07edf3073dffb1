/**
 * Given/when/then specs for OTA jobs and campaigns: `givenJob(job).when(...inputs).then(transitions)`
 * and `givenCampaign(state).when(...inputs).then(decisions)` fold the inputs from the given state
 * and compare everything that happened.
 */
import assert from "node:assert/strict";
import { type CampaignDecision, type CampaignInput, type CampaignState, evolveCampaign } from "./campaign.ts";
import { evolveJob, type JobInput, type JobState, type JobTransition, queuedJob } from "./job.ts";

export const job = (extra: Partial<JobState> = {}): JobState => ({
  ...queuedJob({
    jobId: "j1",
    campaignId: "c1",
    deviceId: "d1",
    wave: 0,
    version: "2.0.0",
    timeoutMs: 60_000,
  }),
  ...extra,
});

export const report = (
  at: number,
  status: "downloading" | "installing" | "succeeded" | "failed",
  extra: { progress?: number; version?: string; error?: string } = {},
): JobInput => ({ kind: "report", at, status, ...extra });

export function givenJob(state: JobState) {
  return {
    when: (...inputs: JobInput[]) => {
      let s = state;
      const transitions: JobTransition[] = [];
      for (const input of inputs) {
        const step = evolveJob(s, input);
        s = step.state;
        transitions.push(...step.transitions);
      }
      return {
        then(expected: JobTransition[]) {
          assert.deepEqual(transitions, expected);
          return s;
        },
      };
    },
  };
}

export function givenCampaign(state: CampaignState) {
  return {
    when: (...inputs: CampaignInput[]) => {
      let s = state;
      const decisions: CampaignDecision[] = [];
      for (const input of inputs) {
        const step = evolveCampaign(s, input);
        s = step.state;
        decisions.push(...step.decisions);
      }
      return {
        then(expected: CampaignDecision[]) {
          assert.deepEqual(decisions, expected);
          return s;
        },
      };
    },
  };
}
