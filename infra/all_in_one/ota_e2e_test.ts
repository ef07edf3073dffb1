// deno-lint-ignore-file no-explicit-any -- HTTP bodies are JSON checked field by field
/**
 * OTA campaigns end to end (design §10) as outside clients see them: real MQTT devices and plain
 * HTTP against the all-in-one — on the embedded engines and on Kafka + PostgreSQL. Waves advance
 * only when the previous wave finished and passed its health gate; a device offline at its wave
 * gets its job on reconnect; a `succeeded` with the wrong version fails the job; a status for a
 * job the device does not have goes to the DLQ and the device is told; the abort triggers at the
 * threshold once `minFinished` finished; a cancel stops dispatch; the platform times jobs out.
 */
import assert from "node:assert/strict";
import { eventually } from "../../core/testing/eventually.ts";
import { apiClient, type Behaviour, connectDevice, type TestDevice, uploadFirmware } from "./_ota_devices.ts";
import { type InProcessPlatform, startInProcess } from "./in_process.ts";
import { withKafkaPostgresPlatform } from "./_kafka_platform.ts";

/**
 * How long a health verdict may legitimately take: a silence verdict waits until every telemetry
 * partition was read past the window, and a partition no device of the test reports on holds that
 * back until the processor's 30 s grace (processors/ota/mod.ts `HEALTH_GRACE_MS`); plus a loaded CI.
 */
const HEALTH_VERDICT_MS = 75_000;

async function otaFlow(h: InProcessPlatform): Promise<void> {
  const api = apiClient(h.base, h.headers);
  const devices = new Map<string, TestDevice>();
  const tokens: Record<string, string> = {};
  const register = async (id: string, group: string) => {
    const created = await api("POST", "/devices", { id, labels: { group } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    tokens[id] = created.json.token;
  };
  const connect = async (id: string, behaviour: Behaviour) => {
    const device = await connectDevice(h.mqttUrl, id, tokens[id]!, behaviour);
    devices.set(id, device);
    return device;
  };
  const campaign = async (name: string, group: string, extra: Record<string, unknown>) => {
    const created = await api("POST", "/ota/campaigns", {
      name,
      firmwareId,
      target: { labels: { group } },
      ...extra,
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    return created.json.id as string;
  };
  const until = (id: string, status: string) =>
    eventually(`campaign ${status}`, async () => {
      const c = (await api("GET", `/ota/campaigns/${id}`)).json;
      // The jobs read model may trail the campaign's row by a moment (other partitions).
      return c.status === status && c.counts.inProgress + c.counts.queued === 0 && c;
    }, { timeoutMs: HEALTH_VERDICT_MS });
  const jobsOf = async (id: string) =>
    Object.fromEntries(
      (await api("GET", `/ota/campaigns/${id}/jobs`)).json.items.map((j: any) => [j.deviceId, j]),
    );
  const otaReceived = (id: string) => devices.get(id)?.received.filter((r) => r.suffix === "ota") ?? [];

  const firmwareId = await uploadFirmware(h.base, h.headers, "th", "2.0.0");
  try {
    // Validation: unknown firmware, empty target, percent out of range.
    const bad = await api("POST", "/ota/campaigns", {
      name: "x",
      firmwareId: "nope",
      target: { labels: { group: "w" } },
    });
    assert.deepEqual([bad.status, bad.json.error.details[0].path], [400, "firmwareId"]);

    // --- Waves with a health gate, a wrong version, an offline device, an unknown job.
    for (const id of ["w1", "w2", "w3", "w4"]) await register(id, "w");
    await connect("w1", "succeed");
    await connect("w2", "wrong-version");
    await connect("w3", "succeed");
    // w4 has been online before (its session holds its subscriptions), but is offline now.
    await (await connect("w4", "succeed")).close();
    const waves = await campaign("waves", "w", {
      waves: { size: 2 },
      health: { seconds: 2 },
      jobTimeoutSeconds: 120,
    });
    assert.equal((await api("POST", `/ota/campaigns/${waves}/start`)).status, 200);
    // Wave 1 (w3, w4) waits for w1's health verdict: w3 gets its job 2 s after w1 succeeded at the earliest.
    await eventually("w3 got its job", () => otaReceived("w3").length === 1, {
      timeoutMs: HEALTH_VERDICT_MS,
    });
    const afterWave0 = await eventually("w3's dispatch projected", async () => {
      const jobs = await jobsOf(waves);
      return jobs.w3?.dispatchedAt && jobs;
    });
    assert.equal(afterWave0.w1.status, "succeeded");
    assert.equal(afterWave0.w2.status, "failed");
    assert.equal(afterWave0.w2.error, "device reported version 0.0.1, expected 2.0.0");
    assert.ok(
      Date.parse(afterWave0.w3.dispatchedAt) >= Date.parse(afterWave0.w1.finishedAt) + 2000,
      `w3 dispatched ${afterWave0.w3.dispatchedAt}, w1 succeeded ${afterWave0.w1.finishedAt}: after the health window`,
    );
    const job = otaReceived("w1")[0]!.payload;
    assert.deepEqual([job.jobId, job.version, job.size], [afterWave0.w1.jobId, "2.0.0", 1500]);
    assert.match(job.url, /^http.*\/firmware\/.*sig=/);
    // w4 was offline when its wave started: it gets the job when it connects.
    assert.equal(afterWave0.w4.status, "queued");
    const w4 = await connect("w4", "succeed");
    await eventually("w4 got its job on connect", () => otaReceived("w4").length === 1);
    // A status for a job the device does not have: DLQ with the reason, and the device is told.
    await w4.publish("ota/status", { jobId: "job-unknown", status: "succeeded", version: "2.0.0" });
    await eventually("w4 told on its errors topic", () => w4.received.some((r) => r.suffix === "errors"));
    const notice = w4.received.find((r) => r.suffix === "errors")!.payload;
    assert.deepEqual([notice.topic, notice.reason], [
      "devices/w4/ota/status",
      'ota: device w4 has no job "job-unknown"',
    ]);
    await eventually(
      "the DLQ entry",
      async () =>
        (await api("GET", "/dlq?device=w4")).json.items.some((i: any) =>
          /has no job "job-unknown"/.test(i.reason)
        ),
    );
    const done = await until(waves, "completed");
    assert.deepEqual(done.counts, {
      queued: 0,
      inProgress: 0,
      succeeded: 3,
      failed: 1,
      timedOut: 0,
      cancelled: 0,
    });
    assert.deepEqual(done.waves.map((w: any) => [w.index, w.devices, w.status]), [[0, 2, "done"], [
      1,
      2,
      "done",
    ]]);
    // The shadow's firmware version, reported by the platform on success.
    await eventually(
      "w1's reported firmware",
      async () => (await api("GET", "/devices/w1/state")).json.reported?.firmware === "2.0.0",
    );

    // --- Abort exactly at the threshold once minFinished finished: 1 of 2 = 50%.
    for (const id of ["a1", "a2", "a3", "a4"]) await register(id, "a");
    await connect("a1", "succeed");
    await connect("a2", "fail");
    await connect("a3", "succeed");
    await connect("a4", "succeed");
    const abort = await campaign("abort", "a", {
      waves: { size: 1 },
      abort: { failurePercent: 50, minFinished: 2 },
    });
    await api("POST", `/ota/campaigns/${abort}/start`);
    const aborted = await until(abort, "aborted");
    assert.equal(
      aborted.abortReason,
      "1 of 2 finished jobs failed or timed out (abort at 50% once 2 finished)",
    );
    await eventually(
      "the queued jobs cancelled",
      async () => (await api("GET", `/ota/campaigns/${abort}`)).json.counts.cancelled === 2,
    );
    assert.deepEqual(
      [otaReceived("a3").length, otaReceived("a4").length],
      [0, 0],
      "nothing dispatched after the abort",
    );

    // --- Cancel stops dispatch; the platform times out a job nobody answers (an offline device too).
    for (const id of ["c1", "c2", "c3"]) await register(id, "c");
    await (await connect("c3", "succeed")).close(); // offline for the whole test
    await connect("c1", "silent");
    await connect("c2", "succeed");
    const cancel = await campaign("cancel", "c", { waves: { size: 1 }, jobTimeoutSeconds: 2 });
    await api("POST", `/ota/campaigns/${cancel}/start`);
    await eventually("c1 got its job", () => otaReceived("c1").length === 1);
    assert.equal((await api("POST", `/ota/campaigns/${cancel}/cancel`)).json.status, "cancelled");
    await eventually("c1 timed out", async () => (await jobsOf(cancel)).c1?.status === "timed_out", {
      timeoutMs: 15_000,
    });
    const cancelled = await jobsOf(cancel);
    assert.deepEqual([cancelled.c2.status, cancelled.c3.status], ["cancelled", "cancelled"]);
    assert.equal(otaReceived("c2").length, 0, "no dispatch after the cancel");
    const timeout = await campaign("timeout", "c", { jobTimeoutSeconds: 1 });
    await api("POST", `/ota/campaigns/${timeout}/start`);
    const timedOut = await until(timeout, "completed");
    assert.deepEqual(
      [timedOut.counts.timedOut, timedOut.counts.succeeded],
      [2, 1],
      "c1 silent, c3 offline, c2 ok",
    );
  } finally {
    for (const device of devices.values()) await device.close().catch(() => {});
  }
}

Deno.test({
  name: "ota e2e [embedded]: waves with health gate, reconnect, wrong version, DLQ, abort, cancel, timeouts",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const h = await startInProcess();
    try {
      await otaFlow(h);
    } finally {
      await h.close();
    }
  },
});

Deno.test({
  name:
    "ota e2e [Kafka + PostgreSQL]: waves with health gate, reconnect, wrong version, DLQ, abort, cancel, timeouts",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => withKafkaPostgresPlatform("ota", otaFlow),
});
