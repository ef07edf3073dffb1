import assert from "node:assert/strict";
import { eventClock, fixtureTime } from "../../testing/read_model_fixtures.ts";
import { projectionSpec } from "../../testing/projection_spec.ts";
import { evolveOtaCampaign } from "./model.ts";

const campaign = projectionSpec(evolveOtaCampaign);
const created = {
  campaignId: "c1",
  name: "to 2.0.0",
  firmwareId: "fw1",
  version: "2.0.0",
  sha256: "b".repeat(64),
  size: 10,
  target: { labels: { site: "a" } },
  waves: { size: 2 },
  jobTimeoutSeconds: 60,
  by: "ops",
};

Deno.test("evolveOtaCampaign() plans the waves at start and follows them", () => {
  const c = eventClock();
  campaign.given(
    c.event("ota.campaign.created", "c1", created, 1),
    c.event("ota.campaign.started", "c1", { campaignId: "c1", devices: ["a", "b", "c"] }, 2),
    c.event("ota.wave.started", "c1", { campaignId: "c1", index: 0, size: 2 }, 2),
    c.event("ota.wave.finished", "c1", {
      campaignId: "c1",
      index: 0,
      succeeded: 2,
      failed: 0,
      timedOut: 0,
      cancelled: 0,
    }, 3),
    c.event("ota.wave.started", "c1", { campaignId: "c1", index: 1, size: 1 }, 3),
  ).then({
    id: "c1",
    name: "to 2.0.0",
    firmwareId: "fw1",
    version: "2.0.0",
    status: "running",
    target: { labels: { site: "a" } },
    waveSettings: { size: 2 },
    jobTimeoutSeconds: 60,
    waves: [{ index: 0, devices: 2, status: "done" }, { index: 1, devices: 1, status: "running" }],
    createdAt: fixtureTime(1),
    createdBy: "ops",
    startedAt: fixtureTime(2),
    updatedAt: fixtureTime(3),
  });
});

Deno.test("evolveOtaCampaign() ignores transitions that do not apply; an abort wins over a late pause", () => {
  const c = eventClock();
  const start = [
    c.event("ota.campaign.created", "c1", created, 1),
    c.event("ota.campaign.resumed", "c1", { campaignId: "c1" }, 2),
    c.event("ota.campaign.started", "c1", { campaignId: "c1", devices: ["a"] }, 3),
    c.event("ota.wave.started", "c1", { campaignId: "c1", index: 0, size: 1 }, 3),
  ];
  campaign.given(...start).thenRow((row) => assert.equal(row?.status, "running"));
  campaign.given(
    ...start,
    c.event("ota.campaign.paused", "c1", { campaignId: "c1" }, 4),
    c.event("ota.campaign.aborted", "c1", {
      campaignId: "c1",
      reason: "1 of 1 failed",
      finished: 1,
      failures: 1,
    }, 5),
    c.event("ota.campaign.resumed", "c1", { campaignId: "c1" }, 6),
    c.event("ota.campaign.completed", "c1", {
      campaignId: "c1",
      succeeded: 0,
      failed: 1,
      timedOut: 0,
      cancelled: 0,
    }, 7),
  ).thenRow((row) => {
    assert.deepEqual([row?.status, row?.abortReason, row?.finishedAt], [
      "aborted",
      "1 of 1 failed",
      fixtureTime(5),
    ]);
    assert.deepEqual(row?.waves, [{ index: 0, devices: 1, status: "aborted" }]);
  });
  campaign.given(...start, c.event("ota.campaign.cancelled", "c1", { campaignId: "c1" }, 4))
    .thenRow((row) => assert.deepEqual([row?.status, row?.waves[0]?.status], ["cancelled", "cancelled"]));
});
