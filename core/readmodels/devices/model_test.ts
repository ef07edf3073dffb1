import assert from "node:assert/strict";
import { credential, eventClock, fixtureTime } from "../../testing/read_model_fixtures.ts";
import { projectionSpec } from "../../testing/projection_spec.ts";
import { evolveDevice } from "./model.ts";

const device = projectionSpec(evolveDevice);

Deno.test("evolveDevice() registers, updates, rotates and decommissions a device", () => {
  const c = eventClock();
  const registered = c.event("device.registered", "d1", {
    name: "Boiler",
    labels: { site: "paris" },
    credential: credential("one"),
  }, 10);
  const updated = c.event("device.updated", "d1", { model: "B-2", labels: { site: "lyon", floor: "2" } }, 20);
  const rotated = c.event("device.credentials.rotated", "d1", { credential: credential("two") }, 30);
  const decommissioned = c.event("device.decommissioned", "d1", { reason: "replaced" }, 40);

  device.given(registered).then({
    id: "d1",
    name: "Boiler",
    labels: { site: "paris" },
    status: "active",
    credential: credential("one"),
    createdAt: fixtureTime(10),
    updatedAt: fixtureTime(10),
  });
  device.given(registered, updated, rotated).then({
    id: "d1",
    name: "Boiler",
    model: "B-2",
    labels: { site: "lyon", floor: "2" },
    status: "active",
    credential: credential("two"),
    createdAt: fixtureTime(10),
    updatedAt: fixtureTime(30),
  });
  device.given(registered, updated, rotated, decommissioned).then({
    id: "d1",
    name: "Boiler",
    model: "B-2",
    labels: { site: "lyon", floor: "2" },
    status: "decommissioned",
    createdAt: fixtureTime(10),
    updatedAt: fixtureTime(40),
  });
});

Deno.test("evolveDevice() ignores a second registration, unknown devices and rotation after decommission", () => {
  const c = eventClock();
  const first = c.event("device.registered", "d1", { name: "first" });
  const second = c.event("device.registered", "d1", { name: "second" });
  device.given(first, second).thenRow((row) => assert.equal(row?.name, "first"));
  device.given(c.event("device.updated", "nobody", { name: "x" })).then(undefined);
  device.given(
    first,
    c.event("device.decommissioned", "d1", {}),
    c.event("device.credentials.rotated", "d1", { credential: credential("late") }),
  ).thenRow((row) => assert.equal(row?.credential, undefined));
});
