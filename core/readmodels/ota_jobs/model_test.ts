import assert from "node:assert/strict";
import { eventClock, fixtureTime } from "../../testing/read_model_fixtures.ts";
import { projectionSpec } from "../../testing/projection_spec.ts";
import { evolveOtaJob } from "./model.ts";

const job = projectionSpec(evolveOtaJob);
const ref = { jobId: "j1", campaignId: "c1" };
const queued = { ...ref, firmwareId: "fw1", version: "2.0.0", sha256: "b".repeat(64), size: 10, wave: 0 };

Deno.test("evolveOtaJob() follows a job to success; repeats and late progress change nothing", () => {
  const c = eventClock();
  job.given(
    c.event("ota.job.queued", "d1", queued, 1),
    c.event("ota.job.dispatched", "d1", ref, 2),
    c.event("ota.job.progress", "d1", { ...ref, status: "downloading", progress: 50 }, 3),
    c.event("ota.job.succeeded", "d1", { ...ref, version: "2.0.0" }, 4),
    c.event("ota.job.progress", "d1", { ...ref, status: "downloading", progress: 60 }, 5),
    c.event("ota.job.succeeded", "d1", { ...ref, version: "2.0.0" }, 6),
    c.event("ota.job.queued", "d1", queued, 7),
  ).then({
    jobId: "j1",
    campaignId: "c1",
    deviceId: "d1",
    wave: 0,
    version: "2.0.0",
    status: "succeeded",
    queuedAt: fixtureTime(1),
    dispatchedAt: fixtureTime(2),
    finishedAt: fixtureTime(4),
    updatedAt: fixtureTime(4),
  });
});

Deno.test("evolveOtaJob() lets the health gate fail a succeeded job, and nothing else move a final one", () => {
  const c = eventClock();
  const base = [
    c.event("ota.job.queued", "d1", queued, 1),
    c.event("ota.job.dispatched", "d1", ref, 2),
    c.event("ota.job.succeeded", "d1", { ...ref, version: "2.0.0" }, 3),
  ];
  job.given(...base, c.event("ota.job.failed", "d1", { ...ref, error: "health", detail: "no telemetry" }, 4))
    .thenRow((row) =>
      assert.deepEqual([row?.status, row?.error, row?.detail], ["failed", "health", "no telemetry"])
    );
  job.given(
    c.event("ota.job.queued", "d1", queued, 1),
    c.event("ota.job.timed_out", "d1", { ...ref, status: "queued" }, 2),
    c.event("ota.job.cancelled", "d1", { ...ref, reason: "aborted" }, 3),
  ).thenRow((row) => assert.deepEqual([row?.status, row?.error], ["timed_out", "timed out while queued"]));
  job.given(c.event("ota.job.dispatched", "d1", ref, 2)).then(undefined);
});
