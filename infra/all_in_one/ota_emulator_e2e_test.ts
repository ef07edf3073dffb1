// deno-lint-ignore-file no-explicit-any -- HTTP bodies are JSON checked field by field
/**
 * The emulator's devices through a whole OTA campaign on the all-in-one (embedded engines, in
 * process): each really downloads its job's signed URL and checks the sha256 before reporting.
 * Healthy devices complete; a device of a fleet with failure rate 1 fails its install; a device
 * of a fleet with brick rate 1 reports success, then stops its telemetry — and the health gate
 * fails its job with `health`.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { eventually } from "../../core/testing/eventually.ts";
import { type Emulator, startEmulator } from "../emulator/mod.ts";
import { apiClient } from "./_ota_devices.ts";
import { startInProcess } from "./in_process.ts";

/** 256 KiB of seeded bytes (several progress steps, more than one read). */
const IMAGE = Uint8Array.from({ length: 256 * 1024 }, (_, i) => (i * 2654435761) >>> 24);

Deno.test({
  name:
    "ota with emulated devices [embedded]: downloads verified, one fails by rate, a brick fails the health gate",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const h = await startInProcess();
    const emulators: Emulator[] = [];
    try {
      const api = apiClient(h.base, h.headers);
      const token = async (id: string) => {
        const created = await api("POST", "/devices", { id, labels: { fleet: "emu" } });
        assert.equal(created.status, 201, JSON.stringify(created.json));
        return { id, token: created.json.token as string };
      };
      const upload = await fetch(`${h.base}/api/v1/firmware?name=emu-fw&version=1.1.0`, {
        method: "POST",
        headers: { authorization: h.headers.authorization!, "content-type": "application/octet-stream" },
        body: IMAGE,
      });
      const firmware = await upload.json();
      assert.equal(upload.status, 201, JSON.stringify(firmware));
      assert.equal(firmware.sha256, createHash("sha256").update(IMAGE).digest("hex"));

      // The in-process platform listens on a free port its AIOT_PUBLIC_URL cannot know (port 0):
      // downloads go to the real server under the signed path and query.
      const downloads: string[] = [];
      const otaFetch = (url: string | URL | Request, init?: RequestInit) => {
        const real = new URL(String(url));
        downloads.push(real.pathname);
        return fetch(`${h.base}${real.pathname}${real.search}`, init);
      };
      const fleet = async (ids: string[], rates: { otaFailureRate?: number; otaBrickRate?: number }) => {
        const emulator = startEmulator({
          brokerUrl: h.mqttUrl,
          devices: await Promise.all(ids.map(token)),
          ratePerDevice: 5,
          otaStepMs: 50,
          reconnectPeriodMs: 200,
          otaFetch,
          ...rates,
        });
        emulators.push(emulator);
        return emulator;
      };
      const healthy = await fleet(["emu-1", "emu-2", "emu-3"], {});
      const failing = await fleet(["emu-fail"], { otaFailureRate: 1 });
      const bricking = await fleet(["emu-brick"], { otaBrickRate: 1 });
      await eventually(
        "every device subscribed",
        () => emulators.every((e) => e.stats().connected === e.stats().devices),
      );

      const created = await api("POST", "/ota/campaigns", {
        name: "emulated",
        firmwareId: firmware.id,
        target: { labels: { fleet: "emu" } },
        health: { seconds: 2 },
        jobTimeoutSeconds: 60,
      });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const id = created.json.id as string;
      assert.equal((await api("POST", `/ota/campaigns/${id}/start`)).status, 200);

      const done = await eventually("campaign completed", async () => {
        const c = (await api("GET", `/ota/campaigns/${id}`)).json;
        return c.status === "completed" && c.counts.inProgress + c.counts.queued === 0 && c;
      }, { timeoutMs: 60_000 });
      assert.deepEqual(done.counts, {
        queued: 0,
        inProgress: 0,
        succeeded: 3,
        failed: 2,
        timedOut: 0,
        cancelled: 0,
      });
      const jobs = await eventually("every job projected as finished", async () => {
        const items = (await api("GET", `/ota/campaigns/${id}/jobs`)).json.items as any[];
        const byDevice = Object.fromEntries(items.map((j) => [j.deviceId, j]));
        return items.length === 5 && items.every((j) => ["succeeded", "failed"].includes(j.status)) &&
          byDevice;
      });
      for (const ok of ["emu-1", "emu-2", "emu-3"]) assert.equal(jobs[ok].status, "succeeded", ok);
      assert.deepEqual([jobs["emu-fail"].status, jobs["emu-fail"].error], [
        "failed",
        "install failed (emulated failure rate)",
      ]);
      assert.deepEqual([jobs["emu-brick"].status, jobs["emu-brick"].error], ["failed", "health"]);

      // Every device really fetched the image (the failing one too: it fails at install).
      assert.equal(downloads.length, 5);
      assert.ok(downloads.every((p) => p === `/api/v1/firmware/${firmware.id}/download`), downloads.join());
      assert.deepEqual(
        [healthy.stats().otaJobs, failing.stats().otaFailed, bricking.stats().bricked],
        [3, 1, 1],
      );
      const state = (await api("GET", "/devices/emu-2/state")).json;
      assert.equal(state.reported.firmware, "1.1.0");
    } finally {
      await Promise.all(emulators.map((e) => e.stop()));
      await h.close();
      await Deno.remove(h.dataDir, { recursive: true }).catch(() => {});
    }
  },
});
