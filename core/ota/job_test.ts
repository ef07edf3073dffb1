import assert from "node:assert/strict";
import { givenJob, job, report } from "./_ota_spec.ts";
import { isSettled } from "./job.ts";

Deno.test("job: dispatch, progress and a success with the campaign's version", () => {
  const state = givenJob(job()).when(
    { kind: "dispatch", at: 10 },
    report(20, "downloading", { progress: 10 }),
    report(30, "downloading", { progress: 60 }),
    report(40, "installing"),
    report(50, "succeeded", { version: "2.0.0" }),
  ).then([
    { kind: "dispatched", at: 10 },
    { kind: "progress", at: 20, status: "downloading", progress: 10 },
    { kind: "progress", at: 30, status: "downloading", progress: 60 },
    { kind: "progress", at: 40, status: "installing" },
    { kind: "succeeded", at: 50, version: "2.0.0" },
  ]);
  assert.equal(state.status, "succeeded");
  assert.ok(isSettled(state), "no health gate: settled at once");
});

Deno.test("job: duplicate and out-of-order reports change nothing", () => {
  givenJob(job()).when(
    { kind: "dispatch", at: 10 },
    report(20, "installing"),
    report(21, "downloading", { progress: 99 }),
    report(22, "installing"),
    report(30, "succeeded", { version: "2.0.0" }),
    report(31, "downloading"),
    report(32, "succeeded", { version: "2.0.0" }),
    report(33, "failed", { error: "late" }),
    { kind: "dispatch", at: 40 },
  ).then([
    { kind: "dispatched", at: 10 },
    { kind: "progress", at: 20, status: "installing" },
    { kind: "succeeded", at: 30, version: "2.0.0" },
  ]);
});

Deno.test("job: a success with another version (or none) fails the job", () => {
  givenJob(job({ status: "dispatched" })).when(report(5, "succeeded", { version: "1.9.0" })).then([
    { kind: "failed", at: 5, error: "device reported version 1.9.0, expected 2.0.0", version: "1.9.0" },
  ]);
  givenJob(job({ status: "dispatched" })).when(report(5, "succeeded")).then([
    { kind: "failed", at: 5, error: "device reported success without a version (expected 2.0.0)" },
  ]);
});

Deno.test("job: a device failure keeps its error", () => {
  const state = givenJob(job({ status: "installing" })).when(report(7, "failed", { error: "flash write" }))
    .then([{ kind: "failed", at: 7, error: "flash write" }]);
  assert.equal(state.error, "flash write");
});

Deno.test("job: times out at its deadline, counted from its wave's start, then from dispatch", () => {
  givenJob(job()).when({ kind: "activate", at: 0 }, { kind: "time", now: 59_999 }, {
    kind: "time",
    now: 75_000,
  })
    .then([{ kind: "timed_out", at: 60_000, status: "queued" }]);
  givenJob(job()).when(
    { kind: "activate", at: 0 },
    { kind: "dispatch", at: 50_000 },
    report(60_000, "downloading"),
    { kind: "time", now: 100_000 },
    { kind: "time", now: 110_000 },
    report(110_001, "succeeded", { version: "2.0.0" }),
  ).then([
    { kind: "dispatched", at: 50_000 },
    { kind: "progress", at: 60_000, status: "downloading" },
    { kind: "timed_out", at: 110_000, status: "downloading" },
  ]);
});

Deno.test("job: a queued job without a running clock never times out", () => {
  givenJob(job()).when({ kind: "time", now: 10 ** 12 }).then([]);
});

Deno.test("job: cancel applies to queued jobs only", () => {
  givenJob(job()).when({ kind: "cancel", at: 3, reason: "aborted" }).then([
    { kind: "cancelled", at: 3, reason: "aborted" },
  ]);
  givenJob(job({ status: "dispatched" })).when({ kind: "cancel", at: 3, reason: "cancelled" }).then([]);
});

Deno.test("health: a device that keeps reporting passes at the end of the window", () => {
  const state = givenJob(job({ status: "installing", healthMs: 10_000 })).when(
    report(1000, "succeeded", { version: "2.0.0" }),
    { kind: "telemetry", at: 4000 },
    { kind: "time", now: 9000 },
    { kind: "telemetry", at: 8000 },
    { kind: "time", now: 11_000 },
    { kind: "time", now: 12_000 },
  ).then([
    { kind: "succeeded", at: 1000, version: "2.0.0" },
    { kind: "healthy", at: 11_000 },
  ]);
  assert.ok(isSettled(state));
});

Deno.test("health: silence after success fails the job with error health", () => {
  const silent = givenJob(job({ status: "installing", healthMs: 10_000 })).when(
    report(1000, "succeeded", { version: "2.0.0" }),
    { kind: "telemetry", at: 500 }, // before the success: does not count
    { kind: "time", now: 11_000 },
  ).then([
    { kind: "succeeded", at: 1000, version: "2.0.0" },
    { kind: "failed", at: 11_000, error: "health", detail: "no telemetry in the 10 s after success" },
  ]);
  assert.deepEqual([silent.status, silent.error, isSettled(silent)], ["failed", "health", true]);
  // Reported once, then went quiet (a boot loop after the first boot).
  givenJob(job({ status: "installing", healthMs: 10_000 })).when(
    report(1000, "succeeded", { version: "2.0.0" }),
    { kind: "telemetry", at: 2000 },
    { kind: "time", now: 11_000 },
  ).then([
    { kind: "succeeded", at: 1000, version: "2.0.0" },
    {
      kind: "failed",
      at: 11_000,
      error: "health",
      detail: "telemetry stopped 9 s before the health window ended",
    },
  ]);
});

Deno.test("health: a critical alert in the window fails the job; others and later ones do not", () => {
  givenJob(job({ status: "installing", healthMs: 10_000 })).when(
    report(1000, "succeeded", { version: "2.0.0" }),
    { kind: "alert", at: 2000, critical: false, alertId: "a0" },
    { kind: "alert", at: 3000, critical: true, alertId: "a1" },
    { kind: "alert", at: 4000, critical: true, alertId: "a2" },
  ).then([
    { kind: "succeeded", at: 1000, version: "2.0.0" },
    { kind: "failed", at: 3000, error: "health", detail: "critical alert a1 after success" },
  ]);
  givenJob(job({ status: "installing" })).when(
    report(1000, "succeeded", { version: "2.0.0" }),
    { kind: "alert", at: 3000, critical: true, alertId: "a1" },
  ).then([{ kind: "succeeded", at: 1000, version: "2.0.0" }]);
});

Deno.test("health: a succeeded job waiting for its verdict is not settled", () => {
  const waiting = givenJob(job({ status: "installing", healthMs: 10_000 }))
    .when(report(1000, "succeeded", { version: "2.0.0" }))
    .then([{ kind: "succeeded", at: 1000, version: "2.0.0" }]);
  assert.equal(isSettled(waiting), false);
});
