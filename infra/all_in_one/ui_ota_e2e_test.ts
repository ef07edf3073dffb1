/**
 * Firmware and OTA campaigns in the dashboard, end to end in real headless Chromium against the
 * all-in-one with real MQTT devices (design §10): upload an image from the Firmware page (the
 * progress bar reaches 100%, the SHA-256 shown is the file's), see an image over the size limit
 * refused with a 413 in words, create a campaign by label (the live count of matched devices
 * shown, a bad wave percent refused by the API at its field), start it; the devices fetch the
 * signed URL, check the digest and report downloading → installing → succeeded, and the page
 * follows to `completed` with full wave bars without a reload. A second campaign whose devices
 * fail aborts, and the page shows why; deleting an image a campaign holds says so. A viewer sees
 * no write controls. Any other console error or failed request fails the test.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import { eventually } from "../../core/testing/eventually.ts";
import { launchChromium, loggedInPage } from "./chromium.ts";
import { startInProcess } from "./in_process.ts";
import { apiClient, connectDevice, type TestDevice } from "./_ota_devices.ts";

const TEMP_SCREENSHOTS = `${Deno.makeTempDirSync({ prefix: "aiot-screenshots-" })}/`;
/** Where the README's screenshot goes; the others always go to a temp folder. */
const SCREENSHOTS = Deno.env.get("AIOT_UPDATE_SCREENSHOTS") === "1"
  ? new URL("../../docs/screenshots/", import.meta.url).pathname
  : TEMP_SCREENSHOTS;
const MAX_BYTES = 1024 * 1024;
const VIEWER = { username: "vera", password: "viewer-password-1234", role: "viewer" };
const GOOD = ["ota-ui-1", "ota-ui-2", "ota-ui-3"];
const BAD = ["ota-bad-1", "ota-bad-2", "ota-bad-3"];

/** A 600 KiB image of pseudo-random bytes (several upload progress events on the way). */
function image(): Uint8Array {
  const bytes = new Uint8Array(600 * 1024);
  let x = 12345;
  for (let i = 0; i < bytes.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Answers each job as a device would: downloads the signed URL (its origin is the platform's
 * public URL, here a loopback port chosen at start), checks size and digest, then reports
 * `installing` and `succeeded` with the job's version, or `failed` when `fails` is set.
 */
function answerJobs(device: TestDevice, base: string, fails: boolean, downloads: string[]) {
  device.client.on("message", (topic, payload) => {
    if (topic !== `devices/${device.id}/ota`) return;
    const job = JSON.parse(new TextDecoder().decode(payload));
    const status = (body: Record<string, unknown>) =>
      device.publish("ota/status", { jobId: job.jobId, ...body });
    (async () => {
      await status({ status: "downloading", progress: 0 });
      const url = new URL(job.url);
      const response = await fetch(`${base}${url.pathname}${url.search}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (response.status !== 200 || bytes.length !== job.size || await sha256(bytes) !== job.sha256) {
        await status({ status: "failed", error: `bad download: ${response.status}, ${bytes.length} bytes` });
        return;
      }
      downloads.push(device.id);
      await status({ status: "downloading", progress: 100 });
      await status({ status: "installing" });
      if (fails) await status({ status: "failed", error: "flash write failed" });
      else await status({ status: "succeeded", version: job.version });
    })().catch(() => {});
  });
}

const nav = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });

/**
 * Removes the failed answer `status` to `method` `path` (it must arrive: the page's response handler
 * records it after reading the body, which can come after the console's note) and the console's
 * note of it, so the rest can be asserted empty.
 */
async function expectFailed(errors: string[], status: number, method: string, path: RegExp) {
  const answer = (e: string) => e.startsWith(`admin: ${status} ${method} `) && path.test(e);
  const note = (e: string) =>
    e.startsWith("admin: Failed to load resource:") && e.includes(`status of ${status}`);
  await eventually(`a ${status} to ${method} ${path} (got: ${errors})`, () => errors.some(answer));
  errors.splice(0, errors.length, ...errors.filter((e) => !answer(e) && !note(e)));
}

/** Records every `data-status` the campaign page shows, from now on (proof it changed live). */
const watchStatuses = (page: Page) =>
  page.evaluate(`(() => {
    window.notReloaded = true;
    window.statuses = [document.querySelector(".campaign-page")?.dataset.status];
    new MutationObserver(() => {
      const s = document.querySelector(".campaign-page")?.dataset.status;
      if (s && window.statuses.at(-1) !== s) window.statuses.push(s);
    }).observe(document.body, { subtree: true, attributes: true, childList: true });
  })()`);

Deno.test({
  name: "dashboard in Chromium: firmware upload with progress, campaign by label, live rollout, abort reason",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    const server = await startInProcess({ ui: true, env: { AIOT_FIRMWARE_MAX_BYTES: String(MAX_BYTES) } });
    const api = apiClient(server.base, server.headers);
    const devices: TestDevice[] = [];
    const downloads: string[] = [];
    const browser = await launchChromium();
    const errors: string[] = [];
    let page: Page | undefined;
    try {
      assert.equal((await api("POST", "/users", VIEWER)).status, 201);
      for (const [ids, ring] of [[GOOD, "canary"], [BAD, "bad"]] as const) {
        for (const id of ids) {
          const created = await api("POST", "/devices", { id, labels: { ring } });
          assert.equal(created.status, 201, JSON.stringify(created.json));
          const device = await connectDevice(server.mqttUrl, id, created.json.token, "silent");
          answerJobs(device, server.base, ring === "bad", downloads);
          devices.push(device);
        }
      }
      // One more in the ring, decommissioned: neither counted nor updated.
      await api("POST", "/devices", { id: "ota-ui-gone", labels: { ring: "canary" } });
      await api("DELETE", "/devices/ota-ui-gone");

      // Upload: the progress bar reaches 100%, the digest shown is the file's.
      page = await loggedInPage(browser, server.base, "admin", server.adminPassword, errors);
      await nav(page, "Firmware").click();
      await page.getByRole("heading", { name: "Firmware" }).waitFor();
      const bytes = image();
      const digest = await sha256(bytes);
      await page.locator('input[type="file"]').setInputFiles({
        name: "thermo-2.1.0.bin",
        mimeType: "application/octet-stream",
        buffer: Buffer.from(bytes),
      });
      assert.equal(await page.getByLabel("Name").inputValue(), "thermo", "the name guessed from the file");
      assert.equal(await page.getByLabel("Version").inputValue(), "2.1.0");
      await page.getByRole("button", { name: "Upload" }).click();
      await page.locator("[data-uploaded]").waitFor({ timeout: 30_000 });
      assert.equal(await page.locator(".upload-progress progress").getAttribute("data-percent"), "100");
      const row = page.locator(`.firmware-table tr[data-sha256="${digest}"]`);
      await row.waitFor();
      assert.equal(await row.getAttribute("data-size"), String(bytes.length));
      assert.match(await row.innerText(), /thermo\s+2\.1\.0\s+600\.0 KiB/);
      const firmwareId = (await row.getAttribute("data-firmware"))!;
      await page.screenshot({ path: `${TEMP_SCREENSHOTS}firmware.png`, fullPage: true });
      assert.equal((await api("GET", `/firmware/${firmwareId}`)).json.sha256, digest);

      // Over the limit: a 413, said in words, nothing stored.
      await page.locator('input[type="file"]').setInputFiles({
        name: "huge-9.bin",
        mimeType: "application/octet-stream",
        buffer: Buffer.alloc(MAX_BYTES + 1),
      });
      await page.getByRole("button", { name: "Upload" }).click();
      await page.locator("[data-upload-error]", { hasText: "Too large" }).waitFor({ timeout: 30_000 });
      await expectFailed(errors, 413, "POST", /\/firmware\?name=huge/);
      assert.equal((await api("GET", "/firmware")).json.items.length, 1);

      // A campaign by label: the live count, then a bad percent refused at its field.
      await nav(page, "OTA").click();
      await page.getByRole("link", { name: "New campaign" }).click();
      await page.getByLabel("Name", { exact: true }).fill("canary rollout");
      // The picker fills in once the firmware list has loaded: wait for it, then check the newest is chosen.
      const picker = page.getByLabel("Firmware");
      await eventually("the firmware picker filled", async () => await picker.inputValue() !== "");
      assert.equal(await page.getByLabel("Firmware").inputValue(), firmwareId);
      await page.getByLabel("Labels", { exact: true }).fill("ring=canary");
      const count = page.locator('.match-count[data-count="3"][data-complete="true"]');
      await count.waitFor({ timeout: 15_000 });
      assert.equal(await count.innerText(), "3 devices match");
      await page.screenshot({ path: `${TEMP_SCREENSHOTS}ota_new_campaign.png`, fullPage: true });
      await page.getByLabel("Waves").selectOption("percent");
      await page.getByLabel("Percent per wave").fill("0");
      await page.getByRole("button", { name: "Create campaign" }).click();
      await page.locator('[data-error-for="waves.percent"]').waitFor();
      assert.equal(await page.locator('input[name="waveValue"]').getAttribute("aria-invalid"), "true");
      await expectFailed(errors, 400, "POST", /\/ota\/campaigns /);
      await page.getByLabel("Waves").selectOption("size");
      await page.locator('input[name="waveValue"]').fill("2");
      await page.getByRole("button", { name: "Create campaign" }).click();
      await page.getByRole("heading", { name: "Campaign canary rollout" }).waitFor();
      await page.locator('[data-campaign-status="created"]').waitFor();

      // Start: the page follows the rollout live to completed, never reloaded.
      await watchStatuses(page);
      await page.getByRole("button", { name: "Start" }).click();
      await page.locator('[data-campaign-status="completed"]').waitFor({ timeout: 60_000 });
      await page.locator('[data-count="succeeded"][data-value="3"]').waitFor({ timeout: 15_000 });
      await page.locator('.wave-list [data-wave="1"][data-percent="100"]').waitFor({ timeout: 15_000 });
      assert.deepEqual(
        await page.locator(".wave-list li").evaluateAll((ws) =>
          ws.map((w) => w.getAttribute("data-percent"))
        ),
        ["100", "100"],
        "two waves (2 + 1 devices), both full",
      );
      assert.deepEqual(
        (await page.locator(".job-table tbody tr").evaluateAll((rs) =>
          rs.map((r) => [r.getAttribute("data-device"), r.getAttribute("data-job-status")])
        )).sort(),
        GOOD.map((id) => [id, "succeeded"]),
      );
      assert.equal(await page.evaluate("window.notReloaded"), true);
      const seen = await page.evaluate("window.statuses") as string[];
      assert.deepEqual([seen[0], seen.at(-1)], ["created", "completed"]);
      assert.ok(seen.includes("running"), `the page showed the campaign running: ${seen}`);
      assert.deepEqual([...downloads].sort(), GOOD, "each device downloaded and verified the image once");
      assert.equal(await page.getByRole("button", { name: "Pause" }).count(), 0, "no actions when completed");
      await page.mouse.move(0, 0);
      await page.screenshot({
        path: `${SCREENSHOTS}ota_campaign.png`,
        fullPage: true,
        animations: "disabled",
      });

      // A campaign whose devices fail: waves of one, abort at 50% once 2 finished.
      await nav(page, "OTA").click();
      await page.getByRole("link", { name: "New campaign" }).click();
      await page.getByLabel("Name", { exact: true }).fill("bad batch");
      await page.getByLabel("Labels", { exact: true }).fill("ring=bad");
      await page.locator('.match-count[data-count="3"]').waitFor({ timeout: 15_000 });
      await page.getByLabel("Waves").selectOption("size");
      await page.locator('input[name="waveValue"]').fill("1");
      await page.getByLabel("Failure percent").fill("50");
      await page.getByLabel("Minimum finished jobs").fill("2");
      await page.getByRole("button", { name: "Create campaign" }).click();
      await page.getByRole("heading", { name: "Campaign bad batch" }).waitFor();
      const badId = (await page.locator(".campaign-page").getAttribute("data-campaign"))!;

      // While the campaign holds the image, deleting it is refused, in words.
      await nav(page, "Firmware").click();
      await row.getByRole("button", { name: "Delete…" }).click();
      await row.getByRole("button", { name: "Delete", exact: true }).click();
      await page.getByRole("alert").filter({ hasText: "a campaign that has not finished uses it" }).waitFor();
      await expectFailed(errors, 409, "DELETE", /\/firmware\//);

      // A viewer sees the campaign but no buttons, and no upload.
      const viewer = await loggedInPage(browser, server.base, VIEWER.username, VIEWER.password, errors);
      await viewer.goto(`${server.base}/#/ota/${badId}`);
      await viewer.getByRole("heading", { name: "Campaign bad batch" }).waitFor();
      for (const name of ["Start", "Pause", "Resume", "Cancel campaign…"]) {
        assert.equal(await viewer.getByRole("button", { name }).count(), 0, name);
      }
      await nav(viewer, "Firmware").click();
      await viewer.locator(".firmware-table").waitFor();
      assert.equal(await viewer.getByRole("form", { name: "Upload firmware" }).count(), 0);
      assert.equal(await viewer.getByRole("button", { name: "Delete…" }).count(), 0);
      await nav(viewer, "OTA").click();
      await viewer.locator(".campaign-table").waitFor();
      assert.equal(await viewer.getByRole("link", { name: "New campaign" }).count(), 0);
      await viewer.context().close();

      await page.evaluate(`location.hash = "#/ota/${badId}"`);
      await page.getByRole("heading", { name: "Campaign bad batch" }).waitFor();
      await watchStatuses(page);
      await page.getByRole("button", { name: "Start" }).click();
      const reason = page.locator("[data-abort-reason]");
      await reason.waitFor({ timeout: 60_000 });
      await page.locator('[data-campaign-status="aborted"]').waitFor();
      const aborted = await eventually("the aborted campaign's reason", async () => {
        const c = (await api("GET", `/ota/campaigns/${badId}`)).json;
        return c.status === "aborted" && c.abortReason && c;
      });
      assert.equal(await reason.innerText(), `Aborted: ${aborted.abortReason}`);
      await page.locator('[data-count="failed"][data-value="2"]').waitFor({ timeout: 15_000 });
      await page.locator('[data-count="cancelled"][data-value="1"]').waitFor({ timeout: 15_000 });
      await page.locator(".job-table .job-error", { hasText: "flash write failed" }).first().waitFor();
      assert.equal(await page.evaluate("window.notReloaded"), true);
      await page.mouse.move(0, 0);
      await page.screenshot({ path: `${TEMP_SCREENSHOTS}ota_aborted.png`, fullPage: true });

      // Once no unfinished campaign holds it, the image can go.
      await nav(page, "Firmware").click();
      await row.getByRole("button", { name: "Delete…" }).click();
      await row.getByRole("button", { name: "Delete", exact: true }).click();
      await page.getByText("No firmware yet.").waitFor();
      assert.equal((await api("GET", "/firmware")).json.items.length, 0);

      assert.deepEqual(errors, [], "the pages logged errors or got failed responses");
    } catch (error) {
      await page?.screenshot({ path: `${TEMP_SCREENSHOTS}ota-failure.png`, fullPage: true }).catch(() => {});
      console.error(`failed; screenshot in ${TEMP_SCREENSHOTS}ota-failure.png; page errors:`, errors);
      throw error;
    } finally {
      await browser.close();
      for (const device of devices) await device.close().catch(() => {});
      await server.close();
    }
  },
});
