import assert from "node:assert/strict";
import { createMetricNameCap } from "./metric_name_cap.ts";

Deno.test("metric name cap counts the names a device already has in the read model", async () => {
  const cap = createMetricNameCap({
    knownMetrics: (id) => Promise.resolve(id === "d" ? ["a", "b", "c"] : []),
  });
  await cap.prime("d");
  assert.equal(cap.admit("d", ["a", "b", "c"], 4), undefined);
  assert.equal(cap.admit("d", ["x"], 4), undefined);
  assert.equal(cap.admit("d", ["y"], 4), `metric "y" would be the device's 5th distinct metric, limit 4`);
  assert.equal(cap.admit("d", ["x", "a"], 4), undefined, "a refused name is not counted");
});

Deno.test("metric name cap merges a seed that arrives after the first uplink", async () => {
  let release!: (names: string[]) => void;
  const cap = createMetricNameCap({ knownMetrics: () => new Promise((resolve) => (release = resolve)) });
  assert.equal(cap.admit("d", ["new"], 3), undefined, "until the seed arrives, names seen here count");
  release(["a", "b"]);
  await cap.prime("d");
  assert.match(cap.admit("d", ["c"], 3)!, /4th distinct metric, limit 3$/);
});

Deno.test("metric name cap holds at most maxDevices devices, least recently used out first", async () => {
  const seeds: string[] = [];
  const cap = createMetricNameCap({
    maxDevices: 2,
    knownMetrics: (id) => (seeds.push(id), Promise.resolve([])),
  });
  for (const id of ["a", "b", "a", "c"]) cap.admit(id, ["m"], 10);
  await cap.prime("a"); // held: not loaded again
  await cap.prime("b"); // evicted by c: loaded again
  assert.deepEqual(seeds, ["a", "b", "c", "b"]);
});

Deno.test("metric name cap keeps counting when the read model cannot be read", async () => {
  const cap = createMetricNameCap({ knownMetrics: () => Promise.reject(new Error("down")) });
  await cap.prime("d");
  assert.equal(cap.admit("d", ["a"], 1), undefined);
  assert.match(cap.admit("d", ["b"], 1)!, /limit 1$/);
});
