/**
 * The dashboard end to end in real headless Chromium (playwright-core, /usr/bin/chromium)
 * against the all-in-one composition with an emulated MQTT device: log in, a device appears
 * live, its chart follows a publish within a second, desired state, a command acked by the
 * device, a rejected payload with its reason, the event feed, token rotation. Any console error
 * on the page fails the test. Takes the README's screenshots: into docs/screenshots/ when
 * AIOT_UPDATE_SCREENSHOTS=1, else into a temp folder (so a test run leaves the tree clean).
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import type { Page } from "playwright-core";
import { launchChromium } from "./chromium.ts";
import { startInProcess } from "./in_process.ts";

const SCREENSHOTS = Deno.env.get("AIOT_UPDATE_SCREENSHOTS") === "1"
  ? new URL("../../docs/screenshots/", import.meta.url).pathname
  : `${Deno.makeTempDirSync({ prefix: "aiot-screenshots-" })}/`;
/** The platform with the dashboard, plus a small JSON API helper. */
async function startServer() {
  const inProcess = await startInProcess({ ui: true });
  return {
    ...inProcess,
    async api(method: string, path: string, body?: unknown) {
      const response = await fetch(`${inProcess.base}/api/v1${path}`, {
        method,
        headers: inProcess.headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return await response.json();
    },
  };
}

type Server = Awaited<ReturnType<typeof startServer>>;

async function connectDevice(server: Server, id: string, token: string) {
  return await mqtt.connectAsync(server.mqttUrl, {
    username: id,
    password: token,
    clientId: id,
    reconnectPeriod: 0,
  });
}

/** A few named devices with labels and values, so the fleet screenshots show something real. */
async function seedFleet(server: Server): Promise<mqtt.MqttClient[]> {
  const clients: mqtt.MqttClient[] = [];
  const sites = ["north", "south", "east"];
  for (let i = 1; i <= 9; i++) {
    const id = `sensor-${String(i).padStart(2, "0")}`;
    const created = await server.api("POST", "/devices", {
      id,
      name: `Cold room ${i}`,
      labels: { site: sites[i % 3]!, kind: i % 2 ? "fridge" : "freezer" },
    });
    if (i % 4 === 0) continue; // some stay offline
    const client = await connectDevice(server, id, created.token);
    await client.publishAsync(
      `devices/${id}/telemetry`,
      JSON.stringify({ temperature: i % 2 ? 3 + i / 10 : -18 - i / 10, humidity: 40 + i, door: i % 3 === 0 }),
      { qos: 1 },
    );
    clients.push(client);
  }
  return clients;
}

// Fails rather than skips: a gate that silently skips the browser tests tests nothing.
const launch = launchChromium;

async function shoot(page: Page, name: string, fullPage = false) {
  await page.mouse.move(0, 0);
  await page.evaluate("document.activeElement?.blur()");
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage, animations: "disabled" });
}

Deno.test({
  name:
    "dashboard in Chromium: login, live fleet, chart within 1 s, desired state, acked command, DLQ reason",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    const server = await startServer();
    const clients = await seedFleet(server);
    const browser = await launch();
    const consoleErrors: string[] = [];
    let step = "start";
    try {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        permissions: ["clipboard-read", "clipboard-write"],
      });
      const page = await context.newPage();
      page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
      page.on("response", async (r) => {
        if (r.status() >= 400) {
          consoleErrors.push(`${r.status()} ${r.url()} ${await r.text().catch(() => "")} (during: ${step})`);
        }
      });
      page.on("pageerror", (e) => consoleErrors.push(`page error: ${e.message}`));

      // Log in.
      await page.goto(server.base);
      await page.getByLabel("User name").fill("admin");
      await page.getByLabel("Password").fill(server.adminPassword);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByRole("heading", { name: "Fleet" }).waitFor();
      await page.locator('[data-device="sensor-09"]').waitFor();
      await page.locator(".live-dot.open").waitFor();

      // A device registered now appears live, and turns connected when it connects.
      const created = await server.api("POST", "/devices", { id: "dev-live", labels: { site: "lab" } });
      const row = page.locator('[data-device="dev-live"]');
      await row.waitFor({ timeout: 15_000 });
      const device = await connectDevice(server, "dev-live", created.token);
      clients.push(device);
      await row.locator(".status.connected").waitFor({ timeout: 15_000 });

      // Search and label filter.
      await page.getByLabel("Label").fill("site:lab");
      await page.locator(".device-row").first().waitFor();
      assert.deepEqual(
        await page.locator(".device-row").evaluateAll((rows) => rows.map((r) => r.dataset.device)),
        [
          "dev-live",
        ],
      );
      await page.getByLabel("Label").fill("");
      await page.getByLabel("Search").fill("cold room 3");
      await page.locator('.device-row[data-device="sensor-01"]').waitFor({ state: "detached" });
      assert.deepEqual(
        await page.locator(".device-row").evaluateAll((rows) => rows.map((r) => r.dataset.device)),
        [
          "sensor-03",
        ],
      );
      await page.getByLabel("Search").fill("");
      await page.locator('[data-device="sensor-01"] .metric').first().waitFor();
      await shoot(page, "fleet-desktop");

      // The device page: the chart follows each publish within a second.
      step = "row click";
      await row.click();
      await page.getByRole("heading", { name: "dev-live" }).waitFor();
      step = "device page";
      await page.getByText("No telemetry yet").waitFor();
      const acked: unknown[] = [];
      const desired: unknown[] = [];
      device.on("message", (topic, payload) => {
        if (topic === "devices/dev-live/state/desired") desired.push(JSON.parse(String(payload)));
        const command = /^devices\/dev-live\/commands\/([^/]+)$/.exec(topic);
        if (command) {
          acked.push(command[1]);
          device.publish(`${topic}/ack`, JSON.stringify({ status: "ok", result: { uptime: 42 } }), {
            qos: 1,
          });
        }
      });
      await device.subscribeAsync(["devices/dev-live/state/desired", "devices/dev-live/commands/+"], {
        qos: 1,
      });
      // Whole seconds (the "Replay from" input's resolution), at or before the first telemetry.
      const beforeTelemetry = Math.floor(Date.now() / 1000) * 1000;
      for (const value of [20, 21, 22]) {
        await device.publishAsync(
          "devices/dev-live/telemetry",
          JSON.stringify({ temperature: value, humidity: 50 }),
          {
            qos: 1,
          },
        );
      }
      const chart = page.locator(".chart [data-points]");
      await page.locator('[data-latest="temperature"]', { hasText: "22" }).waitFor({ timeout: 15_000 });
      // 20, 21 and 22 on the chart (live, or from the API once projected) before the measured publish.
      await page.locator('.chart [data-points="3"]').waitFor({ timeout: 15_000 });
      const before = Number(await chart.getAttribute("data-points"));
      const published = Date.now();
      await device.publishAsync("devices/dev-live/telemetry", JSON.stringify({ temperature: 24 }), {
        qos: 1,
      });
      // The update must come live (no reload). Its latency is printed here and measured by
      // `deno task bench ui`; asserting "< 1 s" would make this test flaky on a loaded 2-core CI run.
      await page.locator(`.chart [data-points="${before + 1}"]`).waitFor({ timeout: 10_000 });
      await page.locator('[data-latest="temperature"]', { hasText: "24" }).waitFor({ timeout: 10_000 });
      console.log(`chart updated ${Date.now() - published} ms after the publish`);

      // Desired state: the patch reaches the device as a delta and the page shows it.
      await page.getByLabel(/Change desired state/).fill('{"led": "on", "setpoint": 4}');
      await page.getByRole("button", { name: "Apply desired state" }).click();
      await page.locator('[data-state="state-desired"]', { hasText: '"led": "on"' }).waitFor({
        timeout: 15_000,
      });
      await waitFor(() => desired.length > 0, "the device to receive the desired delta");
      assert.deepEqual(desired[0], { led: "on", setpoint: 4 });
      // A whole second after the desired change was appended and before the reported one is: the
      // "As of" input's resolution. Waiting for the clock to pass it is a precondition, not a timing check.
      const afterDesired = Math.ceil(Date.now() / 1000) * 1000;
      await waitFor(() => Date.now() > afterDesired, "the clock to pass the chosen second", 5000);
      await device.publishAsync(
        "devices/dev-live/state/reported",
        JSON.stringify({ led: "on", firmware: "1.4.2" }),
        {
          qos: 1,
        },
      );
      await page.locator('[data-state="state-reported"]', { hasText: "firmware" }).waitFor({
        timeout: 15_000,
      });

      step = "state as of";
      // "As of" a time between the desired and the reported change: the earlier state, read-only.
      await page.getByLabel("As of").fill(await localTime(page, afterDesired));
      await page.getByRole("button", { name: "Show", exact: true }).click();
      await page.getByText(/^State at /).waitFor({ timeout: 15_000 });
      assert.match(await page.locator('[data-state="state-desired"]').innerText(), /"led": "on"/);
      assert.doesNotMatch(await page.locator('[data-state="state-reported"]').innerText(), /firmware/);
      assert.equal(await page.getByLabel(/Change desired state/).count(), 0, "no editor for the past");
      await page.getByRole("button", { name: "Now", exact: true }).click();
      await page.locator('[data-state="state-reported"]', { hasText: "firmware" }).waitFor();
      await page.getByLabel(/Change desired state/).waitFor();
      step = "device page";

      // A command goes requested → dispatched → acked (the device acks it over MQTT).
      await page.getByLabel("Command name").fill("reboot");
      await page.getByLabel("Parameters (JSON, optional)").fill('{"delay": 1}');
      await page.getByRole("button", { name: "Send command" }).click();
      await page.locator('.command-list [data-status="acked"]').waitFor({ timeout: 15_000 });
      assert.equal(acked.length, 1);

      // A rejected payload shows with its reason.
      await device.publishAsync("devices/dev-live/telemetry", "not json{", { qos: 1 });
      const reason = page.locator(".dlq-list .reason").first();
      await reason.waitFor({ timeout: 15_000 });
      assert.match(await reason.innerText(), /invalid JSON/);
      await page.locator(".dlq-list .payload", { hasText: "not json{" }).waitFor();
      await shoot(page, "device-desktop", true);

      step = "phone";
      // Phone width: the same pages stay usable.
      await page.setViewportSize({ width: 390, height: 844 });
      console.log(
        "reported at phone width:",
        await page.locator('[data-state="state-reported"]').innerText(),
      );
      await shoot(page, "device-phone", true);
      await page.getByRole("link", { name: "Fleet", exact: true }).first().click();
      await page.locator('[data-device="sensor-01"] .metric').first().waitFor();
      await shoot(page, "fleet-phone");
      await page.setViewportSize({ width: 1280, height: 800 });

      step = "live feed";
      // The live feed: events arrive, pause holds them back, resume shows them.
      await page.getByRole("link", { name: "Events" }).click();
      await page.getByRole("heading", { name: "Live events" }).waitFor();
      await page.getByLabel("Device", { exact: true }).fill("dev-live");
      await page.getByRole("button", { name: "Apply filter" }).click();
      await page.locator('.live-dot.open[data-device="dev-live"]').waitFor();
      await device.publishAsync("devices/dev-live/telemetry", JSON.stringify({ temperature: 25 }), {
        qos: 1,
      });
      await page.locator('.event-list [data-type="telemetry.reported"]').first().waitFor({ timeout: 15_000 });
      await page.getByRole("button", { name: "Pause" }).click();
      const shown = await page.locator(".event-list li").count();
      await device.publishAsync("devices/dev-live/telemetry", JSON.stringify({ temperature: 26 }), {
        qos: 1,
      });
      await page.getByRole("button", { name: /Resume \([1-9]/ }).waitFor({ timeout: 15_000 });
      assert.equal(await page.locator(".event-list li").count(), shown);
      await page.getByRole("button", { name: /Resume/ }).click();
      await page.locator(".event-list li", { hasText: '"value":26' }).waitFor();

      step = "replay";
      // Replay from before the first telemetry: the earliest reading (20) comes back, then live.
      assert.equal(await page.locator(".event-list li", { hasText: '"value":20' }).count(), 0);
      await page.getByLabel("Replay from").fill(await localTime(page, beforeTelemetry));
      await page.getByRole("button", { name: "Apply filter" }).click();
      await page.locator(".event-list li", { hasText: '"value":20' }).waitFor({ timeout: 15_000 });
      await page.locator('.live-dot.open[data-device="dev-live"]').waitFor();
      await device.publishAsync("devices/dev-live/telemetry", JSON.stringify({ temperature: 27 }), {
        qos: 1,
      });
      await page.locator(".event-list li", { hasText: '"value":27' }).waitFor({ timeout: 15_000 });

      step = "rotation";
      // Token rotation: shown once, copyable.
      await page.goto(`${server.base}/#/devices/dev-live`);
      await page.getByRole("button", { name: "Rotate token…" }).click();
      await page.getByRole("button", { name: "Rotate now" }).click();
      const token = await page.getByLabel("New token (shown once)").inputValue();
      assert.ok(token.length >= 16);
      await page.getByRole("button", { name: "Copy" }).click();
      await page.getByText("Copied to the clipboard.").waitFor();
      assert.equal(await page.evaluate("navigator.clipboard.readText()"), token);

      assert.deepEqual(consoleErrors, [], "the page logged console errors");
    } finally {
      await browser.close();
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
      await server.close();
    }
  },
});

/** A datetime-local value for `ms` in the browser's own time zone. */
async function localTime(page: Page, ms: number): Promise<string> {
  return await page.evaluate((t) => {
    const d = new Date(t);
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
      `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }, ms);
}

async function waitFor(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
