import assert from "node:assert/strict";
import type { Device } from "./api_client.ts";
import type { LiveEvent } from "./live_stream.ts";
import type { Campaign, Job } from "./ota_api.ts";
import {
  applyOtaEvents,
  campaignBodyOf,
  countJobs,
  countMatches,
  type DevicePager,
  emptyCampaignForm,
  matchText,
  mergeLoaded,
  waveProgress,
} from "./ota_model.ts";

const device = (id: string, labels: Record<string, string>, status: "active" | "decommissioned" = "active") =>
  ({ id, labels, status }) as unknown as Device;

/** A device list of `devices`, `size` a page, filtered by one `key:value` label like the API. */
function pager(devices: Device[], size: number, seen: string[] = []): DevicePager {
  return ({ label, cursor }) => {
    seen.push(`${label ?? ""}@${cursor ?? ""}`);
    const [k, v] = label ? label.split(":") : [];
    const all = devices.filter((d) => !k || d.labels[k] === v);
    const from = cursor ? Number(cursor) : 0;
    const items = all.slice(from, from + size);
    return Promise.resolve(from + size < all.length ? { items, next: String(from + size) } : { items });
  };
}

Deno.test("countMatches() counts as the API resolves a target: active, every label, among the ids", async () => {
  const fleet = [
    device("a", { site: "n", model: "x" }),
    device("b", { site: "n", model: "y" }),
    device("c", { site: "n", model: "x" }, "decommissioned"),
    device("d", { site: "s", model: "x" }),
    device("e", { site: "n", model: "x" }),
  ];
  const seen: string[] = [];
  assert.deepEqual(await countMatches({ labels: { site: "n", model: "x" } }, pager(fleet, 2, seen)), {
    matched: 2,
    complete: true,
  });
  assert.deepEqual(seen, ["site:n@", "site:n@2"], "filters by the first label, pages through the rest");
  assert.deepEqual(await countMatches({ devices: ["a", "d", "zz"] }, pager(fleet, 10)), {
    matched: 2,
    complete: true,
  });
  assert.deepEqual(
    await countMatches({ devices: ["a", "d"], labels: { model: "x", site: "s" } }, pager(fleet, 10)),
    {
      matched: 1,
      complete: true,
    },
  );
  assert.deepEqual(await countMatches({}, pager(fleet, 10)), { matched: 4, complete: true });
  assert.deepEqual(await countMatches({ labels: { site: "none" } }, pager(fleet, 10)), {
    matched: 0,
    complete: true,
  });
});

Deno.test("countMatches() stops at the cap or the page budget and says so", async () => {
  const many = Array.from({ length: 2500 }, (_, i) => device(`d${i}`, { g: i % 2 ? "odd" : "even" }));
  const seen: string[] = [];
  assert.deepEqual(await countMatches({ labels: { g: "odd" } }, pager(many, 500, seen), { cap: 1000 }), {
    matched: 1000,
    complete: false,
  });
  assert.equal(seen.length, 2, "no page more than the cap needs");
  assert.deepEqual(
    await countMatches({ devices: ["d2499"] }, pager(many, 500), { maxPages: 2 }),
    { matched: 0, complete: false },
    "an unfinished scan is not 'no device'",
  );
  assert.equal(matchText({ matched: 1000, complete: false }), "1,000+ devices match");
  assert.equal(matchText({ matched: 0, complete: false }), "0+ devices match");
  assert.equal(matchText({ matched: 0, complete: true }), "No device matches");
  assert.equal(matchText({ matched: 1, complete: true }), "1 device matches");
  assert.equal(matchText({ matched: 3, complete: true }), "3 devices match");
});

Deno.test("campaignBodyOf() builds the API body and names the browser-side issues by API path", () => {
  const form = {
    ...emptyCampaignForm(),
    name: " roll ",
    firmwareId: "fw1",
    labels: "site=n, model=x",
    devices: "a, b a",
    waveMode: "percent" as const,
    waveValue: "50",
    failurePercent: "20",
    minFinished: "2",
    healthSeconds: "30",
  };
  assert.deepEqual(campaignBodyOf(form), {
    issues: [],
    body: {
      name: "roll",
      firmwareId: "fw1",
      target: { devices: ["a", "b"], labels: { site: "n", model: "x" } },
      waves: { percent: 50 },
      abort: { failurePercent: 20, minFinished: 2 },
      jobTimeoutSeconds: 3600,
      health: { seconds: 30 },
    },
  });
  const minimal = campaignBodyOf({ ...emptyCampaignForm(), name: "n", firmwareId: "f", labels: "g=1" });
  assert.deepEqual(minimal.body, {
    name: "n",
    firmwareId: "f",
    target: { labels: { g: "1" } },
    jobTimeoutSeconds: 3600,
  });
  const bad = campaignBodyOf({
    ...emptyCampaignForm(),
    labels: "oops",
    waveMode: "size",
    waveValue: "many",
    failurePercent: "10",
    jobTimeoutSeconds: "x",
  });
  assert.equal(bad.body, undefined);
  assert.deepEqual(bad.issues.map((i) => i.path), [
    "name",
    "firmwareId",
    "target.labels",
    "waves.size",
    "abort.minFinished",
    "jobTimeoutSeconds",
  ]);
  // Out-of-range numbers are the API's to refuse (its 400 names the field): sent as typed.
  assert.deepEqual(campaignBodyOf({ ...form, waveValue: "0" }).body?.waves, { percent: 0 });
});

const job = (jobId: string, wave: number, status: Job["status"], extra: Partial<Job> = {}): Job => ({
  jobId,
  deviceId: `dev-${jobId}`,
  wave,
  status,
  updatedAt: "2026-01-01T00:00:00.000Z",
  ...extra,
});

const campaign = (extra: Partial<Campaign> = {}): Campaign =>
  ({
    id: "c1",
    name: "c",
    firmwareId: "f",
    version: "2.0.0",
    status: "running",
    target: {},
    jobTimeoutSeconds: 60,
    waves: [{ index: 0, devices: 2, status: "running" }, { index: 1, devices: 2, status: "pending" }],
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    counts: { queued: 0, inProgress: 0, succeeded: 0, failed: 0, timedOut: 0, cancelled: 0 },
    ...extra,
  }) as Campaign;

let seq = 0;
const event = (type: string, key: string, data: Record<string, unknown>): LiveEvent =>
  ({
    id: `e${seq++}`,
    type,
    v: 1,
    key,
    time: `2026-01-01T00:00:${String(seq).padStart(2, "0")}.000Z`,
    source: "ota",
    data,
  }) as unknown as LiveEvent;

Deno.test("applyOtaEvents() moves jobs forward only, keeps the health gate's step back, ignores other campaigns", () => {
  const jobs = new Map([["j1", job("j1", 0, "dispatched")], [
    "j2",
    job("j2", 0, "succeeded", { progress: 100 }),
  ]]);
  const step = applyOtaEvents(campaign(), jobs, [
    event("ota.job.progress", "dev-j1", {
      jobId: "j1",
      campaignId: "c1",
      status: "downloading",
      progress: 40,
    }),
    event("ota.job.progress", "dev-j1", { jobId: "j1", campaignId: "c1", status: "installing" }),
    // A late `downloading` changes nothing.
    event("ota.job.progress", "dev-j1", {
      jobId: "j1",
      campaignId: "c1",
      status: "downloading",
      progress: 60,
    }),
    event("ota.job.failed", "dev-j2", {
      jobId: "j2",
      campaignId: "c1",
      error: "health",
      detail: "no telemetry",
    }),
    event("ota.job.succeeded", "dev-x", { jobId: "jx", campaignId: "other", version: "2.0.0" }),
    event("ota.job.queued", "dev-j3", { jobId: "j3", campaignId: "c1", wave: 1 }),
  ]);
  assert.equal(step.changed, true);
  assert.deepEqual(
    [...step.jobs.values()].map((
      j,
    ) => [j.jobId, j.deviceId, j.wave, j.status, j.progress, j.error, j.detail]),
    [
      ["j1", "dev-j1", 0, "installing", 40, undefined, undefined],
      ["j2", "dev-j2", 0, "failed", 100, "health", "no telemetry"],
      ["j3", "dev-j3", 1, "queued", undefined, undefined, undefined],
    ],
  );
  assert.equal(jobs.get("j1")!.status, "dispatched", "the input is not changed");
  const after = applyOtaEvents(campaign(), step.jobs, [
    event("ota.job.succeeded", "dev-j1", { jobId: "j1", campaignId: "c1", version: "2.0.0" }),
    event("ota.job.progress", "dev-j1", { jobId: "j1", campaignId: "c1", status: "installing" }),
  ]);
  assert.deepEqual([after.jobs.get("j1")!.status, after.jobs.get("j1")!.progress], ["succeeded", 100]);
  assert.equal(
    applyOtaEvents(campaign(), jobs, [event("ota.job.failed", "x", { jobId: "j9", campaignId: "c2" })])
      .changed,
    false,
  );
});

Deno.test("applyOtaEvents() follows the campaign and its waves; a final status stays final", () => {
  const step = applyOtaEvents(campaign(), new Map(), [
    event("ota.wave.finished", "c1", { campaignId: "c1", index: 0 }),
    event("ota.wave.started", "c1", { campaignId: "c1", index: 1, size: 2 }),
    event("ota.campaign.aborted", "c1", { campaignId: "c1", reason: "2 of 2 finished jobs failed (≥ 50%)" }),
    event("ota.campaign.resumed", "c1", { campaignId: "c1" }),
  ]);
  assert.deepEqual(step.campaign.waves.map((w) => w.status), ["done", "running"]);
  assert.equal(step.campaign.status, "aborted");
  assert.equal(step.campaign.abortReason, "2 of 2 finished jobs failed (≥ 50%)");
  const paused = applyOtaEvents(campaign(), new Map(), [
    event("ota.campaign.paused", "c1", { campaignId: "c1" }),
  ]);
  assert.equal(paused.campaign.status, "paused");
});

Deno.test("mergeLoaded(): a load that trails the live events moves nothing back; a newer one is taken", () => {
  const shown = {
    campaign: campaign({
      status: "completed",
      waves: [{ index: 0, devices: 2, status: "done" }, { index: 1, devices: 2, status: "done" }],
    }),
    jobs: new Map([
      ["j1", job("j1", 0, "succeeded", { progress: 100 })],
      ["j2", job("j2", 1, "failed", { error: "health" })],
      ["j3", job("j3", 1, "downloading")],
      ["j4", job("j4", 1, "queued")],
    ]),
  };
  // The read models have the jobs' events but not yet the campaign's (projected separately).
  const stale = mergeLoaded(shown, {
    campaign: campaign({
      status: "running",
      waves: [{ index: 0, devices: 2, status: "done" }, { index: 1, devices: 2, status: "running" }],
    }),
    jobs: [job("j1", 0, "installing"), job("j2", 1, "succeeded"), job("j3", 1, "succeeded")],
  });
  assert.equal(stale.campaign.status, "completed");
  assert.deepEqual(stale.campaign.waves.map((w) => w.status), ["done", "done"]);
  assert.deepEqual(
    [...stale.jobs.values()].map((j) => [j.jobId, j.status]).sort(),
    [["j1", "succeeded"], ["j2", "failed"], ["j3", "succeeded"], ["j4", "queued"]],
    "furthest status per job; a job known only from the stream stays",
  );
  // Pause and resume are not an order: a non-final campaign takes the load's status.
  const paused = mergeLoaded({ campaign: campaign(), jobs: new Map() }, {
    campaign: campaign({ status: "paused" }),
    jobs: [],
  });
  assert.equal(paused.campaign.status, "paused");
  const aborted = mergeLoaded(
    { campaign: campaign({ status: "aborted", abortReason: "too many failed" }), jobs: new Map() },
    { campaign: campaign({ status: "paused" }), jobs: [] },
  );
  assert.deepEqual([aborted.campaign.status, aborted.campaign.abortReason], ["aborted", "too many failed"]);
  // Nothing shown yet (or another campaign): the load as it is.
  const first = mergeLoaded({ campaign: undefined, jobs: new Map() }, {
    campaign: campaign({ status: "running" }),
    jobs: [job("j1", 0, "queued")],
  });
  assert.deepEqual([first.campaign.status, first.jobs.size], ["running", 1]);
});

Deno.test("waveProgress() and countJobs(): finished share per wave, counts as the API groups them", () => {
  const jobs = [
    job("a", 0, "succeeded"),
    job("b", 0, "timed_out"),
    job("c", 1, "downloading"),
    job("d", 1, "queued"),
  ];
  assert.deepEqual(countJobs(jobs), {
    queued: 1,
    inProgress: 1,
    succeeded: 1,
    failed: 0,
    timedOut: 1,
    cancelled: 0,
  });
  assert.deepEqual(
    waveProgress(campaign(), jobs, true).map((
      w,
    ) => [w.index, w.percent, w.succeeded, w.failed, w.inProgress]),
    [[0, 100, 1, 1, 0], [1, 0, 0, 0, 1]],
  );
  const half = waveProgress(campaign(), [job("a", 0, "failed"), job("b", 0, "installing")], true);
  assert.equal(half[0]!.percent, 50);
  // Jobs not loaded (a large campaign): a done wave is full, others empty.
  const partial = waveProgress(campaign({ waves: [{ index: 0, devices: 5, status: "done" }] }), [], false);
  assert.equal(partial[0]!.percent, 100);
});
