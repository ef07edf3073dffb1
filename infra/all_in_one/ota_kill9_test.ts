// deno-lint-ignore-file no-explicit-any -- HTTP bodies are JSON checked field by field
/**
 * An OTA campaign across kill -9 of the all-in-one: the jobs the devices acknowledged keep their
 * state, the devices reconnecting after the restart are not sent their job a second time, and the
 * campaign goes on through its next wave to completion.
 */
import assert from "node:assert/strict";
import { eventually } from "../../core/testing/eventually.ts";
import { freePort } from "../dev/free_port.ts";
import { roleProcess } from "../faults/role_process.ts";
import { apiClient, connectDevice, type TestDevice, uploadFirmware } from "./_ota_devices.ts";

const PASSWORD = "kill-nine-ota";
const IDS = ["k1", "k2", "k3", "k4"];

Deno.test({
  name: "ota survives kill -9: acknowledged jobs keep their state and are never dispatched twice",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const mqttPort = freePort();
    const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    const aio = await roleProcess("ota-kill9", {
      AIOT_ADMIN_PASSWORD: PASSWORD,
      AIOT_MQTT_PORT: String(mqttPort),
    });
    await aio.start();
    const connections: TestDevice[] = [];
    try {
      const login = await fetch(`${aio.base}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: PASSWORD }),
      }).then((r) => r.json());
      const headers = { authorization: `Bearer ${login.token}`, "content-type": "application/json" };
      const api = apiClient(aio.base, headers);
      const tokens: Record<string, string> = {};
      for (const id of IDS) {
        tokens[id] = (await api("POST", "/devices", { id, labels: { fleet: "k" } })).json.token;
      }
      /** Every job message each device received, over all its connections. */
      const jobsReceived = (id: string) =>
        connections.filter((c) => c.id === id).flatMap((c) => c.received.filter((r) => r.suffix === "ota"));
      const connectAll = async (behaviour: "ack" | "succeed") => {
        for (const id of IDS) connections.push(await connectDevice(mqttUrl, id, tokens[id]!, behaviour));
      };
      await connectAll("ack");

      const firmwareId = await uploadFirmware(aio.base, headers, "k", "3.0.0");
      const created = await api("POST", "/ota/campaigns", {
        name: "kill9",
        firmwareId,
        target: { labels: { fleet: "k" } },
        waves: { size: 2 },
        jobTimeoutSeconds: 600,
      });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const id = created.json.id;
      assert.equal((await api("POST", `/ota/campaigns/${id}/start`)).status, 200);
      const jobs = async () =>
        Object.fromEntries(
          (await api("GET", `/ota/campaigns/${id}/jobs`)).json.items.map((j: any) => [j.deviceId, j]),
        );
      // Wave 0 (k1, k2) acknowledged its jobs: then the process dies.
      await eventually("k1 and k2 downloading", async () => {
        const j = await jobs();
        return j.k1?.status === "downloading" && j.k2?.status === "downloading";
      }, { timeoutMs: 20_000 });
      await aio.kill9();
      for (const c of connections) c.client.end(true);
      await aio.start();

      // The devices come back (persistent sessions): those that acknowledged get nothing again.
      await connectAll("succeed");
      const after = await eventually("the campaign's state after the restart", async () => {
        const c = (await api("GET", `/ota/campaigns/${id}`)).json;
        return c.counts?.inProgress === 2 && c;
      });
      assert.equal(after.status, "running");
      assert.deepEqual(after.counts, {
        queued: 2,
        inProgress: 2,
        succeeded: 0,
        failed: 0,
        timedOut: 0,
        cancelled: 0,
      });
      const wave0 = await jobs();
      for (const device of ["k1", "k2"]) {
        const latest = connections.filter((c) => c.id === device).at(-1)!;
        await latest.publish("ota/status", {
          jobId: wave0[device].jobId,
          status: "succeeded",
          version: "3.0.0",
        });
      }
      const done = await eventually("the campaign completed", async () => {
        const c = (await api("GET", `/ota/campaigns/${id}`)).json;
        // The jobs read model may trail the campaign's row by a moment (other partitions).
        return c.status === "completed" && c.counts.succeeded === 4 && c;
      }, { timeoutMs: 30_000 });
      assert.deepEqual(done.counts, {
        queued: 0,
        inProgress: 0,
        succeeded: 4,
        failed: 0,
        timedOut: 0,
        cancelled: 0,
      });
      for (const device of IDS) {
        assert.equal(jobsReceived(device).length, 1, `${device} got its job exactly once`);
      }
    } finally {
      for (const c of connections) c.client.end(true);
      await aio.stop();
    }
  },
});
