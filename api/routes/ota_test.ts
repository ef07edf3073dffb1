import assert from "node:assert/strict";
import { createEvent } from "../../core/events/catalog.ts";
import { createTestApp, type TestApp } from "../_test_app.ts";

const sha256 = "c".repeat(64);

async function setup(): Promise<TestApp> {
  const t = await createTestApp();
  for (const [id, site] of [["d1", "a"], ["d2", "a"], ["d3", "b"]] as const) {
    const body = { id, labels: { site } };
    assert.equal((await t.call("POST", "/api/v1/devices", { as: "admin", body })).status, 201);
  }
  await t.deps.appendEvents(t.deps.topics.ota, [
    createEvent(
      "firmware.published",
      { firmwareId: "fw1", name: "th", version: "2.0.0", sha256, size: 100 },
      {
        key: "fw1",
        source: "api",
      },
    ),
  ]);
  return t;
}

const body = (extra: Record<string, unknown> = {}) => ({
  name: "site a to 2.0.0",
  firmwareId: "fw1",
  target: { labels: { site: "a" } },
  waves: { size: 1 },
  ...extra,
});

async function errorOf(response: Response) {
  const { error } = await response.json();
  return { status: response.status, paths: (error.details ?? []).map((d: { path: string }) => d.path) };
}

Deno.test("POST /ota/campaigns refuses unknown firmware, an empty target and percent outside 1-100, naming the field", async () => {
  const t = await setup();
  const post = (b: unknown) => t.call("POST", "/api/v1/ota/campaigns", { as: "operator", body: b });
  assert.deepEqual(await errorOf(await post(body({ firmwareId: "nope" }))), {
    status: 400,
    paths: ["firmwareId"],
  });
  assert.deepEqual(await errorOf(await post(body({ target: { labels: { site: "zz" } } }))), {
    status: 400,
    paths: ["target"],
  });
  assert.deepEqual(await errorOf(await post(body({ target: { devices: ["ghost"] } }))), {
    status: 400,
    paths: ["target"],
  });
  for (const percent of [0, 0.5, 101]) {
    assert.deepEqual(await errorOf(await post(body({ waves: { percent } }))), {
      status: 400,
      paths: ["waves.percent"],
    });
  }
  assert.equal((await post(body({ abort: { failurePercent: 120, minFinished: 1 } }))).status, 400);
  assert.deepEqual(t.appended.filter((e) => e.type.startsWith("ota.campaign")), [], "nothing appended");
});

Deno.test("a campaign is created, started with its target resolved then, and shows counts and waves", async () => {
  const t = await setup();
  const created = await t.call("POST", "/api/v1/ota/campaigns", { as: "operator", body: body() });
  assert.equal(created.status, 201);
  const campaign = await created.json();
  assert.equal(campaign.status, "created");
  assert.equal(campaign.version, "2.0.0");
  assert.deepEqual(campaign.counts, {
    queued: 0,
    inProgress: 0,
    succeeded: 0,
    failed: 0,
    timedOut: 0,
    cancelled: 0,
  });

  // Registered after the creation, before the start: part of the target.
  await t.call("POST", "/api/v1/devices", { as: "admin", body: { id: "d0", labels: { site: "a" } } });
  const path = `/api/v1/ota/campaigns/${campaign.id}`;
  assert.equal((await t.call("POST", `${path}/pause`, { as: "operator" })).status, 409);
  const started = await (await t.call("POST", `${path}/start`, { as: "operator" })).json();
  assert.equal(started.status, "running");
  assert.deepEqual(started.waves, [0, 1, 2].map((index) => ({ index, devices: 1, status: "pending" })));
  const start = t.appended.find((e) => e.type === "ota.campaign.started")!;
  assert.deepEqual((start.data as { devices: string[] }).devices, ["d0", "d1", "d2"]);
  assert.equal((await t.call("POST", `${path}/start`, { as: "operator" })).status, 409);
  assert.equal((await t.call("POST", `${path}/pause`, { as: "viewer" })).status, 403);
  assert.equal((await (await t.call("POST", `${path}/pause`, { as: "operator" })).json()).status, "paused");
  assert.equal((await (await t.call("POST", `${path}/resume`, { as: "operator" })).json()).status, "running");
  assert.equal(
    (await (await t.call("POST", `${path}/cancel`, { as: "operator" })).json()).status,
    "cancelled",
  );
  assert.equal((await t.call("POST", `${path}/resume`, { as: "operator" })).status, 409);

  const list = await (await t.call("GET", "/api/v1/ota/campaigns", { as: "viewer" })).json();
  assert.deepEqual(list.items.map((c: { id: string }) => c.id), [campaign.id]);
  const jobs = await (await t.call("GET", `${path}/jobs`, { as: "viewer" })).json();
  assert.deepEqual(jobs.items, [], "no ota processor here: no jobs");
  assert.equal((await t.call("GET", "/api/v1/ota/campaigns/nope", { as: "viewer" })).status, 404);
});
