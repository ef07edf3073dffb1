import assert from "node:assert/strict";
import { givenCampaign } from "./_ota_spec.ts";
import { type CampaignInput, createdCampaign, emptyCounts, jobChange } from "./campaign.ts";
import type { JobStatus } from "./job.ts";
import { planWaves, waveSize } from "./waves.ts";

const queued = (wave: number): CampaignInput => ({ kind: "job", wave, to: "queued", settled: false });
const moved = (wave: number, from: JobStatus, to: JobStatus, settled = true): CampaignInput => ({
  kind: "job",
  wave,
  from,
  to,
  settled,
});

Deno.test("campaign: waves advance only when every job of the current one settled", () => {
  const state = givenCampaign(createdCampaign("c1")).when(
    { kind: "start", waveSizes: [2, 1] },
    queued(0),
    queued(0),
    queued(1),
    moved(0, "queued", "dispatched", false),
    moved(0, "dispatched", "succeeded"),
    moved(0, "queued", "dispatched", false),
    moved(0, "dispatched", "succeeded", false), // waiting for its health verdict
  ).then([{ kind: "wave_started", index: 0, size: 2 }]);
  const done = givenCampaign(state).when(
    { kind: "job", wave: 0, from: "succeeded", to: "succeeded", settled: true },
    moved(1, "queued", "failed"),
  ).then([
    { kind: "wave_finished", index: 0 },
    { kind: "wave_started", index: 1, size: 1 },
    { kind: "wave_finished", index: 1 },
    { kind: "completed", counts: { ...emptyCounts(), succeeded: 2, failed: 1 } },
  ]);
  assert.equal(done.status, "completed");
});

Deno.test("campaign: no abort before minFinished jobs finished, however many failed", () => {
  const start = givenCampaign(createdCampaign("c1", { failurePercent: 50, minFinished: 4 })).when(
    { kind: "start", waveSizes: [10] },
    ...Array.from({ length: 10 }, () => queued(0)),
    moved(0, "queued", "failed"),
    moved(0, "queued", "timed_out"),
    moved(0, "queued", "failed"), // 3 of 3 failed, but fewer than minFinished
  ).then([{ kind: "wave_started", index: 0, size: 10 }]);
  givenCampaign(start).when(moved(0, "queued", "succeeded")).then([
    {
      kind: "aborted",
      reason: "3 of 4 finished jobs failed or timed out (abort at 50% once 4 finished)",
      finished: 4,
      failures: 3,
    },
    { kind: "cancel_queued", reason: "aborted" },
  ]);
});

Deno.test("campaign: at minFinished, failures at the percentage abort; one below does not", () => {
  const base = givenCampaign(createdCampaign("c1", { failurePercent: 50, minFinished: 4 })).when(
    { kind: "start", waveSizes: [10] },
    ...Array.from({ length: 10 }, () => queued(0)),
    moved(0, "queued", "succeeded"),
    moved(0, "queued", "succeeded"),
    moved(0, "queued", "failed"),
  ).then([{ kind: "wave_started", index: 0, size: 10 }]);
  // 3 succeeded + 1 failed = 25% at minFinished: below.
  givenCampaign(base).when(moved(0, "queued", "succeeded")).then([]);
  // 2 succeeded + 2 failed = 50% at minFinished: exactly the threshold.
  const aborted = givenCampaign(base).when(moved(0, "queued", "timed_out")).then([
    {
      kind: "aborted",
      reason: "2 of 4 finished jobs failed or timed out (abort at 50% once 4 finished)",
      finished: 4,
      failures: 2,
    },
    { kind: "cancel_queued", reason: "aborted" },
  ]);
  assert.equal(aborted.status, "aborted");
  givenCampaign(aborted).when(moved(0, "queued", "failed"), { kind: "resume" }).then([]);
});

Deno.test("campaign: a health failure after success counts toward the abort", () => {
  const base = givenCampaign(createdCampaign("c1", { failurePercent: 50, minFinished: 2 })).when(
    { kind: "start", waveSizes: [4] },
    ...Array.from({ length: 4 }, () => queued(0)),
    moved(0, "queued", "succeeded", false),
    moved(0, "queued", "failed"),
  ).then([
    { kind: "wave_started", index: 0, size: 4 },
    {
      kind: "aborted",
      reason: "1 of 2 finished jobs failed or timed out (abort at 50% once 2 finished)",
      finished: 2,
      failures: 1,
    },
    { kind: "cancel_queued", reason: "aborted" },
  ]);
  assert.equal(base.status, "aborted");
});

Deno.test("campaign: pause holds the next wave, resume dispatches and advances", () => {
  const paused = givenCampaign(createdCampaign("c1")).when(
    { kind: "start", waveSizes: [1, 1] },
    queued(0),
    queued(1),
    { kind: "pause" },
    moved(0, "queued", "succeeded"),
  ).then([{ kind: "wave_started", index: 0, size: 1 }]);
  assert.equal(paused.status, "paused");
  givenCampaign(paused).when({ kind: "resume" }).then([
    { kind: "wave_resumed", index: 0 },
    { kind: "wave_finished", index: 0 },
    { kind: "wave_started", index: 1, size: 1 },
  ]);
});

Deno.test("campaign: cancel cancels the queued jobs; transitions that do not apply change nothing", () => {
  const cancelled = givenCampaign(createdCampaign("c1")).when(
    { kind: "resume" },
    { kind: "pause" },
    { kind: "start", waveSizes: [1, 1] },
    { kind: "start", waveSizes: [5] },
    { kind: "cancel" },
    { kind: "cancel" },
    { kind: "resume" },
  ).then([{ kind: "wave_started", index: 0, size: 1 }, { kind: "cancel_queued", reason: "cancelled" }]);
  assert.equal(cancelled.status, "cancelled");
});

Deno.test("jobChange() reports status changes and the moment a job settles", () => {
  const j = { jobId: "j", campaignId: "c", deviceId: "d", wave: 1, version: "2", timeoutMs: 1 } as const;
  assert.deepEqual(jobChange(undefined, { ...j, status: "queued" }), {
    kind: "job",
    wave: 1,
    to: "queued",
    settled: false,
  });
  assert.equal(
    jobChange({ ...j, status: "downloading", progress: 1 }, { ...j, status: "downloading", progress: 2 }),
    undefined,
  );
  assert.deepEqual(
    jobChange(
      { ...j, healthMs: 5, status: "succeeded", health: { until: 9 } },
      { ...j, healthMs: 5, status: "succeeded", health: { until: 9, passed: true } },
    ),
    { kind: "job", wave: 1, from: "succeeded", to: "succeeded", settled: true },
  );
});

Deno.test("planWaves() splits by size or percent (rounded up), the smaller wins", () => {
  const ids = Array.from({ length: 10 }, (_, i) => i);
  assert.deepEqual(planWaves(ids, { size: 4 }).map((w) => w.length), [4, 4, 2]);
  assert.deepEqual(planWaves(ids, { percent: 25 }).map((w) => w.length), [3, 3, 3, 1]);
  assert.deepEqual(planWaves(ids, { size: 2, percent: 50 }).map((w) => w.length), [2, 2, 2, 2, 2]);
  assert.deepEqual(planWaves(ids).map((w) => w.length), [10]);
  assert.equal(waveSize(3, { percent: 1 }), 1);
});
