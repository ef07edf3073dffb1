/**
 * The analysts' and admins' pages end to end in real headless Chromium against the all-in-one:
 * register a device from the UI (its token shown once, copyable), publish with that token over
 * MQTT, find the envelope in the data explorer, download the telemetry as CSV, see a malformed
 * payload in the fleet-wide dead letters with its reason count, the processors view, create and
 * revoke an API token, create a user, relabel and decommission the device, change one's own
 * password, find all of it in the audit log; a viewer sees no write controls. Any console error
 * or unexpected error answer on the page fails the test.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import type { Page } from "playwright-core";
import { launchChromium, loggedInPage } from "./chromium.ts";
import { startInProcess } from "./in_process.ts";

const SCREENSHOTS = Deno.env.get("AIOT_UPDATE_SCREENSHOTS") === "1"
  ? new URL("../../docs/screenshots/", import.meta.url).pathname
  : `${Deno.makeTempDirSync({ prefix: "aiot-screenshots-" })}/`;
const DEVICE = "ui-admin-dev";
const VIEWER = { username: "vera", password: "viewer-password-1234" };
const NEW_ADMIN_PASSWORD = "a-new-admin-password-42";

/** A full-page screenshot with no hover or focus ring (into docs/screenshots/ with AIOT_UPDATE_SCREENSHOTS=1). */
async function shoot(page: Page, name: string) {
  await page.mouse.move(0, 0);
  await page.evaluate("document.activeElement?.blur()");
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true, animations: "disabled" });
}

const nav = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });
const tab = (page: Page, section: "Data" | "Administration", name: string) =>
  page.getByRole("navigation", { name: section }).getByRole("link", { name, exact: true });

/** Repeats `attempt` until `done` holds (each attempt waits a little), at most `ms`. */
async function until(
  attempt: () => Promise<unknown>,
  done: () => Promise<boolean>,
  what: string,
  ms = 20_000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    await attempt();
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

Deno.test({
  name: "admin and data pages in Chromium: register, explore, export CSV, DLQ counts, tokens, users, audit",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    // Retention settings for the processors view's retention panel (far longer than the test's data).
    const server = await startInProcess({
      ui: true,
      env: { AIOT_RETENTION_TELEMETRY_RAW: "30d", AIOT_RETENTION_ROLLUP_1H: "1y", AIOT_RETENTION_DLQ: "14d" },
    });
    const browser = await launchChromium();
    const errors: string[] = [];
    let device: mqtt.MqttClient | undefined;
    try {
      const page = await loggedInPage(browser, server.base, "admin", server.adminPassword, errors);

      // Register a device: the token is shown once, with a working copy button.
      await nav(page, "Admin").click();
      await page.getByRole("heading", { name: "Devices" }).waitFor();
      await page.getByLabel("Device id (optional)").fill(DEVICE);
      await page.getByLabel("Name", { exact: true }).fill("Admin test device");
      await page.getByLabel("Labels", { exact: true }).fill("site=lab");
      await page.getByRole("button", { name: "Register" }).click();
      const tokenField = page.getByLabel("Device token (shown once)");
      const token = await tokenField.inputValue();
      assert.ok(token.length >= 16, "a device token");
      await page.getByRole("button", { name: "Copy" }).click();
      await page.getByText("Copied to the clipboard.").waitFor();
      assert.equal(await page.evaluate("navigator.clipboard.readText()"), token);
      await page.locator(`tr[data-admin-device="${DEVICE}"]`).waitFor();
      await page.getByRole("button", { name: "Done" }).click();
      assert.equal(await tokenField.count(), 0, "the token is gone once dismissed");

      // Telemetry published with that token shows in the data explorer.
      device = await mqtt.connectAsync(server.mqttUrl, {
        username: DEVICE,
        password: token,
        clientId: DEVICE,
        reconnectPeriod: 0,
      });
      await device.publishAsync(`devices/${DEVICE}/telemetry`, JSON.stringify({ temperature: 21.5 }), {
        qos: 1,
      });
      await nav(page, "Data").click();
      await page.getByRole("heading", { name: "Data explorer" }).waitFor();
      await page.getByLabel("Device", { exact: true }).fill(DEVICE);
      const envelope = page.locator(`.envelope[data-type="telemetry.reported"][data-key="${DEVICE}"]`);
      const loaded = page.locator('[data-loaded][data-state="read"]');
      await until(
        async () => {
          await page.getByRole("button", { name: "Browse" }).click();
          await loaded.waitFor();
        },
        async () => (await loaded.getAttribute("data-loaded")) !== "0",
        "the telemetry envelope in the explorer",
      );
      await envelope.first().waitFor();
      await envelope.first().locator("summary .event-type").click();
      const tree = await envelope.first().locator(".json-node").first().innerText();
      assert.match(tree, /temperature/);
      assert.match(tree, /21\.5/);
      await shoot(page, "data-explorer");

      // Paging: 550 more points. The explorer reads 500 and stops; paging past them reads on.
      for (let i = 0; i < 550; i++) {
        device.publish(`devices/${DEVICE}/telemetry`, JSON.stringify({ counter: i }), { qos: 1 });
      }
      await until(() => Promise.resolve(), async () => {
        const metrics = await fetch(`${server.base}/api/v1/devices/${DEVICE}/metrics`, {
          headers: server.headers,
        });
        const { items } = await metrics.json() as { items: { metric: string; count: number }[] };
        return items.find((m) => m.metric === "counter")?.count === 550;
      }, "the 550 points to be stored");
      await page.getByRole("button", { name: "Browse" }).click();
      await page.locator('[data-loaded="500"][data-state="read"]', { hasText: "read so far" }).waitFor();
      for (let i = 0; i < 10; i++) await page.getByRole("button", { name: "Next 50" }).click();
      await page.locator('[data-loaded="551"][data-state="read"]', {
        hasText: "Showing 501–550 of 551 (the whole range)",
      })
        .waitFor();
      await page.getByRole("button", { name: "Next 50" }).click();
      assert.equal(await page.locator(".envelope").count(), 1);
      assert.equal(await page.getByRole("button", { name: "Next 50" }).isDisabled(), true);

      // CSV export of the same range, downloaded by the page.
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "CSV", exact: true }).click(),
      ]);
      const csv = await Deno.readTextFile((await download.path())!);
      const lines = csv.trim().split(/\r?\n/);
      assert.equal(lines[0], "time,deviceId,metric,value");
      assert.ok(lines.some((l) => l.endsWith(`,${DEVICE},temperature,21.5`)), csv);
      await page.locator("[data-export-note]", { hasText: /Saved .*\.csv/ }).waitFor();
      // The plain link (streamed to disk by the browser, with the session cookie): Parquet this time.
      const [parquet] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: "Parquet", exact: true }).click(),
      ]);
      const file = await Deno.readFile((await parquet.path())!);
      const magic = new TextDecoder().decode(file.subarray(0, 4));
      assert.equal(magic, "PAR1", "a Parquet file");
      assert.equal(new TextDecoder().decode(file.subarray(file.length - 4)), "PAR1");

      // Malformed payloads land in the fleet-wide dead letters, counted by reason.
      await device.publishAsync(`devices/${DEVICE}/telemetry`, "not json{", { qos: 1 });
      await device.publishAsync(`devices/${DEVICE}/telemetry`, "{also not json", { qos: 1 });
      await tab(page, "Data", "Dead letters").click();
      await page.getByRole("heading", { name: "Dead letters" }).waitFor();
      const invalidJson = page.locator('tr[data-reason-kind="invalid JSON"] [data-count]');
      await until(
        () => page.getByRole("button", { name: "Refresh" }).click(),
        async () => (await invalidJson.textContent({ timeout: 500 }).catch(() => "")) === "2",
        "two invalid JSON dead letters",
      );
      await page.locator(".dlq-list .payload", { hasText: "not json{" }).waitFor();
      await shoot(page, "dead-letters");

      // The explorer reads any topic: the same two rejections as envelopes of the dlq topic.
      await tab(page, "Data", "Explorer").click();
      await page.getByLabel("Topic").selectOption("dlq");
      await page.getByLabel("Device", { exact: true }).fill(DEVICE);
      await page.getByRole("button", { name: "Browse" }).click();
      await page.locator('[data-loaded="2"][data-state="read"]').waitFor();
      assert.equal(await page.locator('.envelope[data-type="input.rejected"]').count(), 2);

      // The processors view: rows from /metrics, telemetry handled.
      await tab(page, "Data", "Processors").click();
      await page.locator("tr[data-processor]").first().waitFor({ timeout: 15_000 });
      await page.locator('tr[data-processor] td[data-events]:not([data-events="0"])').first().waitFor({
        timeout: 15_000,
      });
      await page.locator('[data-check="processors"]', { hasText: "ok" }).waitFor();
      // The process's memory from the same scrape: a resident set and the main thread's heap.
      const memory = page.locator("p.memory[data-memory-rss]");
      await memory.waitFor();
      assert.ok(Number(await memory.getAttribute("data-memory-rss")) > 10 * 1048576);
      assert.match(await memory.innerText(), /RSS \d+ MiB · main heap \d+ of \d+ MiB/);
      // Lag per topic (reported every 5 s) and a rate (after two scrapes) arrive without a reload.
      await page.locator("tr[data-processor] td[data-lag] [data-topic]").first().waitFor({ timeout: 20_000 });
      await page.locator("tr[data-processor] td[data-rate]").first().waitFor({ timeout: 20_000 });
      // The retention panel: each store's setting and the age of its oldest data.
      const kept = (row: string) => page.locator(`tr[data-retention="${row}"] td[data-kept]`);
      await kept("timeseries/raw").waitFor();
      assert.equal(await kept("timeseries/raw").getAttribute("data-kept"), "30d");
      assert.equal(await kept("timeseries/1h").getAttribute("data-kept"), "1y");
      assert.equal(await kept("timeseries/1d").getAttribute("data-kept"), "forever");
      assert.equal(await kept("log/aiot.dlq").getAttribute("data-kept"), "14d");
      assert.equal(await kept("dlq/dead letters").getAttribute("data-kept"), "14d");
      assert.notEqual(
        await page.locator('tr[data-retention="timeseries/raw"] td').last().textContent(),
        "empty",
        "the raw points published above are held",
      );
      await shoot(page, "processors");

      // An API token: shown once, works, revoked.
      await nav(page, "Admin").click();
      await tab(page, "Administration", "API tokens").click();
      await page.getByLabel("Token name").fill("ci-bot");
      await page.getByRole("button", { name: "Create token" }).click();
      const apiToken = await page.getByLabel("API token (shown once)").inputValue();
      const me = () =>
        fetch(`${server.base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${apiToken}` } });
      assert.equal((await (await me()).json()).actor, "token:ci-bot");
      await page.getByRole("button", { name: "Done" }).click();
      const tokenRow = page.locator('tr[data-token="ci-bot"]');
      await tokenRow.getByRole("button", { name: "Revoke…" }).click();
      await tokenRow.getByRole("button", { name: "Revoke", exact: true }).click();
      await tokenRow.waitFor({ state: "detached" });
      const refused = await me();
      await refused.body?.cancel();
      assert.equal(refused.status, 401);

      // A user, created here and used below as the viewer.
      await tab(page, "Administration", "Users").click();
      await page.getByLabel("User name").fill(VIEWER.username);
      await page.getByLabel("Password").fill(VIEWER.password);
      await page.getByLabel("Role").selectOption("viewer");
      await page.getByRole("button", { name: "Create user" }).click();
      await page.locator(`tr[data-user="${VIEWER.username}"]`).waitFor();

      // Relabel, then decommission behind a confirmation.
      await tab(page, "Administration", "Devices").click();
      const row = page.locator(`tr[data-admin-device="${DEVICE}"]`);
      await row.getByRole("button", { name: "Edit labels" }).click();
      await row.getByLabel("Labels", { exact: true }).fill("site=lab, floor=2");
      await row.getByRole("button", { name: "Save labels" }).click();
      await row.locator(".chip", { hasText: "floor:2" }).waitFor();
      await shoot(page, "admin-devices");
      await row.getByRole("button", { name: "Decommission…" }).click();
      await row.getByRole("button", { name: "Decommission", exact: true }).click();
      await row.locator('[data-status="decommissioned"]').waitFor();

      // One's own password.
      await tab(page, "Administration", "Your account").click();
      await page.getByLabel("Current password").fill(server.adminPassword);
      await page.getByLabel("New password (at least 8 characters)").fill(NEW_ADMIN_PASSWORD);
      await page.getByLabel("Repeat the new password").fill(NEW_ADMIN_PASSWORD);
      await page.getByRole("button", { name: "Change password" }).click();
      await page.getByText("Password changed.").waitFor();
      const relogin = await fetch(`${server.base}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: NEW_ADMIN_PASSWORD }),
      });
      await relogin.body?.cancel();
      assert.equal(relogin.status, 200, "the new password logs in");

      // The audit log shows every one of these calls; the method filter narrows it.
      await tab(page, "Administration", "Audit log").click();
      const audit = (action: string) => page.locator(`tr[data-audit-action="${action}"]`);
      for (
        const action of [
          "POST /api/v1/devices",
          "PATCH /api/v1/devices/{id}",
          "DELETE /api/v1/devices/{id}",
          "POST /api/v1/tokens",
          "DELETE /api/v1/tokens/{name}",
          "POST /api/v1/users",
          "POST /api/v1/auth/password",
        ]
      ) {
        await audit(action).first().waitFor({ timeout: 5_000 });
      }
      await page.getByLabel("Method").selectOption("DELETE");
      await audit("POST /api/v1/users").waitFor({ state: "detached" });
      const methods = await page.locator("tr[data-audit-action]").evaluateAll((rows) =>
        rows.map((r) => r.getAttribute("data-audit-action")!.split(" ")[0])
      );
      assert.deepEqual([...new Set(methods)], ["DELETE"]);
      await page.getByLabel("Method").selectOption("");
      await shoot(page, "audit-log");

      // A viewer: the same pages, no write controls, no admin tabs.
      const viewer = await loggedInPage(browser, server.base, VIEWER.username, VIEWER.password, errors);
      await nav(viewer, "Admin").click();
      await viewer.locator(`tr[data-admin-device="${DEVICE}"]`).waitFor();
      for (const name of ["Register", "Edit labels", "Decommission…"]) {
        assert.equal(await viewer.getByRole("button", { name }).count(), 0, `a viewer sees no "${name}"`);
      }
      const adminTabs = await viewer.getByRole("navigation", { name: "Administration" }).getByRole("link")
        .allInnerTexts();
      assert.deepEqual(adminTabs, ["Devices", "Your account"]);
      await nav(viewer, "Data").click();
      await tab(viewer, "Data", "Dead letters").click();
      await viewer.locator('tr[data-reason-kind="invalid JSON"]').waitFor();
      await viewer.context().close();

      assert.deepEqual(errors, [], "the pages logged errors");
      console.log(`screenshots in ${SCREENSHOTS}`);
    } finally {
      await device?.endAsync(true).catch(() => {});
      await browser.close();
      await server.close();
    }
  },
});
