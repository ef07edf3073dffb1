/** `GET /devices/{id}/state?at=` through the app over the in-memory log: the shadow as it was then. */
import assert from "node:assert/strict";
import { createTestApp } from "../_test_app.ts";

/** The log stamps appends with the real clock, so the app runs on it too (`at` may not be ahead of it). */
const appOnRealClock = () => createTestApp({ now: () => Date.now() });

const nextMillisecond = async () => {
  const now = Date.now();
  while (Date.now() <= now) await new Promise((resolve) => setTimeout(resolve, 1));
};

Deno.test("GET /state?at= is the shadow of then; at the last event's time it equals the live shadow", async () => {
  const t = await appOnRealClock();
  assert.equal((await t.call("POST", "/api/v1/devices", { as: "admin", body: { id: "d1" } })).status, 201);
  const patch = async (body: unknown) =>
    assert.equal(
      (await t.call("PATCH", "/api/v1/devices/d1/state/desired", { as: "operator", body })).status,
      202,
    );
  const stateAt = async (at?: number) =>
    await (await t.call("GET", `/api/v1/devices/d1/state${at === undefined ? "" : `?at=${at}`}`, {
      as: "viewer",
    })).json();

  await nextMillisecond();
  const before = Date.now();
  await nextMillisecond();
  await patch({ mode: "eco", fan: 1 });
  const afterFirst = Date.now();
  await nextMillisecond();
  await patch({ mode: "boost" });
  const last = Date.now();

  const empty = { reported: {}, desired: {}, delta: {}, version: 0, connected: false, lastSeen: null };
  assert.deepEqual(await stateAt(before), empty);
  const first = await stateAt(afterFirst);
  assert.deepEqual([first.desired, first.version], [{ mode: "eco", fan: 1 }, 1]);
  assert.deepEqual(await stateAt(last), await stateAt(undefined));
  assert.deepEqual((await stateAt(last)).desired, { mode: "boost", fan: 1 });
  // ISO-8601 as well as epoch ms.
  assert.deepEqual(
    await stateAt(undefined),
    await (await t.call(
      "GET",
      `/api/v1/devices/d1/state?at=${new Date(last).toISOString()}`,
      { as: "viewer" },
    )).json(),
  );
});

Deno.test("GET /state?at=: not a time or in the future is a 400 naming at; an unknown device is a 404", async () => {
  const t = await appOnRealClock();
  assert.equal((await t.call("POST", "/api/v1/devices", { as: "admin", body: { id: "d1" } })).status, 201);
  for (const at of ["soon", new Date(Date.now() + 3_600_000).toISOString()]) {
    const response = await t.call("GET", `/api/v1/devices/d1/state?at=${encodeURIComponent(at)}`, {
      as: "viewer",
    });
    assert.equal(response.status, 400, at);
    assert.equal((await response.json()).error.details[0].path, "at", at);
  }
  assert.equal(
    (await t.call("GET", `/api/v1/devices/nope/state?at=${Date.now()}`, { as: "viewer" })).status,
    404,
  );
});
