/**
 * Which projectors share a projection thread (a pure rule), and a platform whose stores differ in
 * kind — time series in the embedded SQLite file, read models in PostgreSQL, on Kafka — running a
 * thread for each that both project a device's telemetry; and that a projection thread lowers its
 * priority only in a process that acknowledges devices.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { eventually } from "../../core/testing/eventually.ts";
import type { Role } from "../config/config.ts";
import { withKafkaPostgresPlatform } from "./_kafka_platform.ts";
import { startInProcess } from "./in_process.ts";
import { projectionThreadGroups } from "./projection_thread.ts";

const config = (roles: Role[], engines: { mongoUrl?: string; postgresUrl?: string } = {}) => ({
  roles,
  ...engines,
});
const PG = "postgres://aiot@db/aiot";
const MONGO = "mongodb://ts/aiot";

Deno.test("projectionThreadGroups() keeps projectors on stores of one kind together", () => {
  const both: Role[] = ["gateway", "timeseries", "readmodels", "api"];
  assert.deepEqual(projectionThreadGroups(config(both)), [["timeseries", "readmodels"]], "both embedded");
  assert.deepEqual(
    projectionThreadGroups(config(both, { mongoUrl: MONGO, postgresUrl: PG })),
    [["timeseries", "readmodels"]],
    "both on network engines",
  );
});

Deno.test("projectionThreadGroups() gives each projector a thread when only one store is embedded", () => {
  const both: Role[] = ["timeseries", "readmodels"];
  assert.deepEqual(projectionThreadGroups(config(both, { postgresUrl: PG })), [["timeseries"], [
    "readmodels",
  ]]);
  assert.deepEqual(projectionThreadGroups(config(both, { mongoUrl: MONGO })), [["timeseries"], [
    "readmodels",
  ]]);
});

Deno.test("projectionThreadGroups() runs only the projectors of the process's roles", () => {
  assert.deepEqual(projectionThreadGroups(config(["readmodels", "api"], { postgresUrl: PG })), [[
    "readmodels",
  ]]);
  assert.deepEqual(projectionThreadGroups(config(["timeseries"], { postgresUrl: PG })), [["timeseries"]]);
  assert.deepEqual(projectionThreadGroups(config(["gateway", "api"])), []);
});

Deno.test("SQLite time series and PostgreSQL read models project on a thread each", async () => {
  await withKafkaPostgresPlatform("projthreads", async (h) => {
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${h.base}/api/v1${path}`, {
        method,
        headers: { ...h.headers, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: await response.json() };
    };
    const created = await api("POST", "/devices", { id: "thermo-1" });
    assert.equal(created.status, 201);
    const device = await mqtt.connectAsync(h.mqttUrl, {
      clientId: "thermo-1",
      username: "thermo-1",
      password: created.json.token,
      reconnectPeriod: 0,
    });
    try {
      for (let i = 0; i < 5; i++) {
        await device.publishAsync("devices/thermo-1/telemetry", JSON.stringify({ temperature: 20 + i }), {
          qos: 1,
        });
      }
      await eventually("the time series has the five points", async () => {
        const { json } = await api("GET", "/devices/thermo-1/telemetry?metric=temperature");
        return json.points?.length === 5;
      });
      await eventually("the read models have the five points and the last value", async () => {
        const { json } = await api("GET", "/devices/thermo-1/metrics");
        const temperature = json.items?.find((item: { metric: string }) => item.metric === "temperature");
        return temperature?.count === 5 && temperature.value === 24;
      });
      const metricsText = async () => await (await fetch(`${h.base}/metrics`, { headers: h.headers })).text();
      const threads = ["projection-thread-timeseries", "projection-thread-readmodels"];
      const metrics = await eventually("both projection threads report their heaps", async () => {
        const text = await metricsText();
        return threads.every((thread) => text.includes(`aiot_heap_used_bytes{thread="${thread}"}`)) && text;
      });
      assert.ok(!metrics.includes('thread="projection-thread"}'), "no shared projection thread");
    } finally {
      await device.endAsync();
    }
  });
});

/** Threads of this process running at nice `niceness` (field 19 of /proc/self/task/<tid>/stat). */
function threadsAtNice(niceness: number): number {
  let count = 0;
  for (const task of Deno.readDirSync("/proc/self/task")) {
    try {
      const stat = Deno.readTextFileSync(`/proc/self/task/${task.name}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[16]) === niceness) count++;
    } catch {
      // The thread ended while being read.
    }
  }
  return count;
}

Deno.test("the projection thread runs at nice 10 beside the gateway, at the process's priority without it", async () => {
  // Another test's platform in this process may still be ending its threads.
  await eventually("no thread of an earlier platform is left", () => threadsAtNice(10) === 0);
  const withGateway = await startInProcess();
  try {
    // Threads the worker starts after lowering itself (its blocking-I/O helpers) inherit nice 10.
    assert.ok(threadsAtNice(10) >= 1, "the all-in-one's projection thread yields to ingest");
  } finally {
    await withGateway.close();
  }
  await eventually("the stopped platform's thread is gone", () => threadsAtNice(10) === 0);
  const projectorsOnly = await startInProcess({ env: { AIOT_ROLES: "timeseries,readmodels,api" } });
  try {
    assert.equal(threadsAtNice(10), 0, "nothing in a projector process needs the head start");
  } finally {
    await projectorsOnly.close();
  }
});
