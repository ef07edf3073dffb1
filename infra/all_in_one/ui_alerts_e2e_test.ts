/**
 * Rules, alerts and webhooks in the dashboard, end to end in real headless Chromium against the
 * all-in-one composition with an MQTT device: create a threshold rule in the editor, preview it
 * with a backtest over telemetry published before (the counts, intervals and shaded chart must
 * be what the API answers to the same request), see bad input named next to its field, save it, see a live violation appear in the inbox
 * without a reload, acknowledge and clear it (viewers get no buttons), then subscribe a webhook:
 * its secret is shown once and signs the deliveries listed in its log. Any console error or
 * failed request fails the test. The backtest preview's screenshot goes into docs/screenshots/ when
 * AIOT_UPDATE_SCREENSHOTS=1, else (like those of the inbox and the webhooks) into a temp folder.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import type { Page } from "playwright-core";
import { eventually } from "../../core/testing/eventually.ts";
import { webhookEventTypes } from "../../core/webhooks/payload.ts";
import { launchChromium, loggedInPage } from "./chromium.ts";
import { startInProcess } from "./in_process.ts";

const TEMP_SCREENSHOTS = `${Deno.makeTempDirSync({ prefix: "aiot-screenshots-" })}/`;
/** Where the README's screenshot goes; the others (for a look at the pages) always go to a temp folder. */
const SCREENSHOTS = Deno.env.get("AIOT_UPDATE_SCREENSHOTS") === "1"
  ? new URL("../../docs/screenshots/", import.meta.url).pathname
  : TEMP_SCREENSHOTS;

const DEVICE = "fridge-1";
/** One reading a minute, the last 20 minutes: three runs above 30 (2–3, 6–8, 12), back to normal after. */
const HISTORY = [22, 24, 31, 33, 29, 25, 35, 36, 37, 28, 26, 24, 32, 27, 25, 24, 23, 22, 21, 20];
const VIEWER = { username: "vera", password: "viewer-password-1234", role: "viewer" };

async function startServer() {
  const inProcess = await startInProcess({ ui: true, env: { AIOT_WEBHOOK_ALLOW_PRIVATE: "1" } });
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${inProcess.base}/api/v1${path}`, {
      method,
      headers: inProcess.headers,
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return { ...inProcess, api };
}

/** The transitions §9 defines for HISTORY with `> 30`, no duration, no hysteresis. */
function expectedTransitions(times: readonly number[]) {
  const transitions: { raisedAt: number; clearedAt: number | null; value: number }[] = [];
  HISTORY.forEach((value, i) => {
    const open = transitions.at(-1)?.clearedAt === null;
    if (value > 30 && !open) transitions.push({ raisedAt: times[i]!, clearedAt: null, value });
    if (value <= 30 && open) transitions.at(-1)!.clearedAt = times[i]!;
  });
  return transitions;
}

/** A local endpoint that records each delivery; 204 to all. */
function startReceiver() {
  const received: { headers: Headers; body: string }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    received.push({ headers: request.headers, body: await request.text() });
    return new Response(null, { status: 204 });
  });
  return { received, url: `http://127.0.0.1:${server.addr.port}/hook`, close: () => server.shutdown() };
}

/** Standard Webhooks: v1 = base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed by the decoded secret. */
async function signatureOf(secret: string, id: string, timestamp: string, body: string): Promise<string> {
  const keyBytes = Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestamp}.${body}`));
  return `v1,${btoa(String.fromCharCode(...new Uint8Array(mac)))}`;
}

/** A screenshot of the page (or of one element of it), with no hover or focus ring. */
async function shoot(page: Page, path: string, selector?: string) {
  await page.mouse.move(0, 0);
  await page.evaluate("document.activeElement?.blur()");
  const options = { path, animations: "disabled" as const };
  await (selector
    ? page.locator(selector).screenshot(options)
    : page.screenshot({ ...options, fullPage: true }));
}

/** A link of the main navigation. */
const nav = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Main" }).getByRole("link", { name });

interface Transition {
  deviceId: string;
  raisedAt: string | number;
  clearedAt: string | number | null;
  value: unknown;
}

const toMs = (t: string | number | null) => (t === null ? null : typeof t === "number" ? t : Date.parse(t));

const numbers = (page: Page, selector: string, attribute: string) =>
  page.locator(selector).evaluateAll(
    (rows, name) => rows.map((r) => r.getAttribute(name as string)).map((v) => (v ? Number(v) : null)),
    attribute,
  );

Deno.test({
  name:
    "dashboard in Chromium: rule editor with backtest preview, live alert inbox (ack, clear), webhook secret once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    const server = await startServer();
    const receiver = startReceiver();
    const created = await server.api("POST", "/devices", { id: DEVICE, labels: { site: "north" } });
    await server.api("POST", "/users", VIEWER);
    const device = await mqtt.connectAsync(server.mqttUrl, {
      username: DEVICE,
      password: created.token,
      clientId: DEVICE,
      reconnectPeriod: 0,
    });
    const browser = await launchChromium();
    const errors: string[] = [];
    let page: Page | undefined;
    try {
      // Telemetry of the last 20 minutes, each reading with its own time.
      const start = Math.floor(Date.now() / 60_000) * 60_000 - HISTORY.length * 60_000;
      const times = HISTORY.map((_, i) => start + i * 60_000);
      await device.publishAsync(
        `devices/${DEVICE}/telemetry`,
        JSON.stringify(HISTORY.map((temperature, i) => ({ ts: times[i], values: { temperature } }))),
        { qos: 1 },
      );
      await eventually("the history to be stored", async () => {
        const q = `metric=temperature&from=${start}&to=${Date.now() + 1000}`;
        const { points } = await server.api("GET", `/devices/${DEVICE}/telemetry?${q}`);
        return points.length === HISTORY.length;
      });

      // The rule editor: a threshold rule, previewed over the last hour before it is saved.
      page = await loggedInPage(browser, server.base, "admin", server.adminPassword, errors);
      await nav(page, "Rules").click();
      await page.getByRole("heading", { name: "Rules" }).waitFor();
      await page.getByRole("link", { name: "New rule" }).click();
      await page.getByLabel("Name", { exact: true }).fill("Too hot");
      await page.getByLabel("Severity").selectOption("critical");
      await page.getByLabel("Metric", { exact: true }).fill("temperature");
      await page.getByLabel("Operator").selectOption(">");
      await page.getByLabel("Value", { exact: true }).fill("30");
      await page.getByLabel("Devices", { exact: true }).fill(DEVICE);
      await page.getByRole("button", { name: "Last 1 h" }).click();
      const backtestRequest = page.waitForRequest((r) => r.url().endsWith("/api/v1/rules/backtest"));
      await page.getByRole("button", { name: "Run backtest" }).click();
      const sent = (await backtestRequest).postData()!;
      await page.locator(".backtest-result [data-stat='raised']").waitFor({ timeout: 30_000 });

      // What the page shows is what the API answers to the same request…
      const answer = await server.api("POST", "/rules/backtest", sent);
      for (const name of ["events", "devices", "raised", "open", "timeInAlertSeconds"]) {
        const shown = await page.locator(`[data-stat='${name}']`).getAttribute("data-value");
        assert.equal(Number(shown), answer.stats[name], `stat ${name}`);
      }
      const transitions: Transition[] = answer.transitions;
      const rows = ".transitions tbody tr";
      assert.deepEqual(await numbers(page, rows, "data-raised"), transitions.map((t) => toMs(t.raisedAt)));
      assert.deepEqual(await numbers(page, rows, "data-cleared"), transitions.map((t) => toMs(t.clearedAt)));
      // …and what §9 says the rule does with this data: three alerts, each cleared by the next normal point.
      const expected = expectedTransitions(times);
      assert.deepEqual(
        transitions.map((t) => ({
          raisedAt: toMs(t.raisedAt),
          clearedAt: toMs(t.clearedAt),
          value: t.value,
        })),
        expected,
      );
      assert.equal(answer.stats.raised, 3);
      assert.equal(answer.stats.timeInAlertSeconds, 360);
      // The chart: every stored reading, the three intervals shaded.
      await page.locator(`.backtest-chart [data-points="${HISTORY.length}"][data-bands="3"]`).waitFor();
      await shoot(page, `${SCREENSHOTS}rule_backtest.png`, ".rule-page");

      // Bad input shows next to its field: what the browser can tell at once, and the API's 400
      // (in a page of its own: that 400 is expected there).
      const scratch = await loggedInPage(browser, server.base, "admin", server.adminPassword, []);
      await scratch.goto(`${server.base}/#/rules/new`);
      await scratch.getByLabel("Name", { exact: true }).fill("Bad");
      await scratch.getByLabel("Metric", { exact: true }).fill("temperature");
      await scratch.getByLabel("Value", { exact: true }).fill("warm");
      await scratch.getByRole("button", { name: "Create rule" }).click();
      await scratch.locator('[data-error-for="condition.value"]', { hasText: "expected a number" }).waitFor();
      // (A label's text now holds its error too: fields are found by name from here.)
      await scratch.locator('input[name="value"]').fill("30");
      await scratch.locator('input[name="forSeconds"]').fill("-1");
      await scratch.getByRole("button", { name: "Create rule" }).click();
      await scratch.locator('[data-error-for="condition.forSeconds"]').waitFor();
      assert.equal(await scratch.locator('[data-error-for="condition.value"]').count(), 0);
      assert.equal(await scratch.locator('input[name="forSeconds"]').getAttribute("aria-invalid"), "true");
      await scratch.context().close();

      // Save: the editor now shows the saved rule.
      await page.getByRole("button", { name: "Create rule" }).click();
      await page.getByRole("heading", { name: "Rule Too hot" }).waitFor();
      await page.locator(".rule-editor .page-head", { hasText: "version 1" }).waitFor();
      const rule = await eventually(
        "the rule to be listed",
        async () => (await server.api("GET", "/rules")).items[0],
      );
      assert.equal(rule.name, "Too hot");
      assert.deepEqual(rule.condition, { kind: "threshold", metric: "temperature", op: ">", value: 30 });
      // An edit is a new version.
      await page.getByLabel("Clear hysteresis (optional)").fill("1");
      await page.getByRole("button", { name: "Save new version" }).click();
      await page.locator(".rule-editor .page-head", { hasText: "version 2" }).waitFor();
      await nav(page, "Rules").click();
      const listed = page.locator(`.rule-table [data-rule="${rule.id}"]`);
      await listed.filter({ hasText: "v2" }).waitFor();
      assert.match(
        await listed.innerText(),
        /Too hot\s+temperature > 30\s+critical\s+fridge-1\s+enabled\s+v2/,
      );
      assert.deepEqual((await server.api("GET", `/rules/${rule.id}`)).clear, { hysteresis: 1 });

      // The inbox: a violation now appears live (the page is never reloaded: the marker survives).
      await nav(page, "Alerts").click();
      await page.getByRole("heading", { name: "Alerts" }).waitFor();
      await page.locator(".alerts .live-dot.open").waitFor();
      await page.evaluate("window.notReloaded = true");
      await device.publishAsync(`devices/${DEVICE}/telemetry`, JSON.stringify({ temperature: 41 }), {
        qos: 1,
      });
      const row = page.locator(`.alert-row[data-status="open"]`, { has: page.locator(`text=${DEVICE}`) });
      await row.waitFor({ timeout: 15_000 });
      assert.equal(await page.evaluate("window.notReloaded"), true);
      await page.locator('[data-open-alerts="1"]').waitFor({ timeout: 15_000 });
      const alertId = await row.getAttribute("data-alert");
      await shoot(page, `${TEMP_SCREENSHOTS}alerts_inbox.png`);
      assert.equal(await row.locator("[data-alert-value]").innerText(), "41");

      // A viewer sees the alert but cannot act on it, and has no webhooks.
      const viewer = await loggedInPage(browser, server.base, VIEWER.username, VIEWER.password, errors);
      await nav(viewer, "Alerts").click();
      await viewer.locator(`.alert-row[data-alert="${alertId}"]`).waitFor({ timeout: 15_000 });
      assert.equal(await viewer.getByRole("button", { name: "Acknowledge" }).count(), 0);
      assert.equal(await viewer.getByRole("button", { name: "Clear" }).count(), 0);
      assert.equal(await nav(viewer, "Webhooks").count(), 0);
      await viewer.context().close();

      // Acknowledge keeps it open (listed, acknowledged); Clear closes it.
      await row.getByRole("button", { name: "Acknowledge" }).click();
      await page.locator(`.alert-row[data-alert="${alertId}"][data-status="acknowledged"]`).waitFor();
      await eventually("the API to show the alert acknowledged", async () => {
        const { items } = await server.api("GET", `/alerts?status=acknowledged&device=${DEVICE}`);
        return items.some((a: { id: string }) => a.id === alertId);
      });
      await page.locator(`.alert-row[data-alert="${alertId}"]`).getByRole("button", { name: "Clear" })
        .click();
      await page.locator(`.alert-row[data-alert="${alertId}"]`).waitFor({ state: "detached" });
      await eventually("the API to show the alert cleared", async () => {
        const { items } = await server.api("GET", `/alerts?status=cleared&device=${DEVICE}`);
        return items.some((a: { id: string }) => a.id === alertId);
      });
      await page.getByLabel("Status").selectOption("cleared");
      await page.locator(`.alert-row[data-alert="${alertId}"][data-status="cleared"]`).waitFor();

      // A webhook: the secret is shown once, copyable, and signs the deliveries in the log.
      await nav(page, "Webhooks").click();
      await page.getByRole("heading", { name: "Webhooks" }).waitFor();
      assert.deepEqual(
        await page.locator('.type-picker input[name="types"]').evaluateAll((boxes) =>
          boxes.map((b) => b.getAttribute("value"))
        ),
        webhookEventTypes,
        "the picker offers exactly the types a webhook may subscribe to",
      );
      await page.getByLabel("Endpoint URL").fill(receiver.url);
      await page.getByLabel("Description (optional)").fill("e2e receiver");
      await page.getByRole("checkbox", { name: "alert.cleared" }).check();
      await page.getByRole("button", { name: "Create webhook" }).click();
      const secret = await page.getByLabel("Signing secret (shown once)").inputValue();
      assert.match(secret, /^whsec_[A-Za-z0-9+/=]+$/);
      await page.getByRole("button", { name: "Copy" }).click();
      await page.getByText("Copied to the clipboard.").waitFor();
      assert.equal(await page.evaluate("navigator.clipboard.readText()"), secret);
      await page.getByRole("button", { name: "Done" }).click();
      const webhook = page.locator(".webhook-list [data-webhook]", { hasText: receiver.url });
      await webhook.waitFor();
      assert.equal((await page.content()).includes(secret), false, "the secret is shown once only");
      assert.equal(JSON.stringify(await server.api("GET", "/webhooks")).includes(secret), false);

      // Back to normal (re-arms), then a new violation: alert.raised is delivered and listed.
      await device.publishAsync(`devices/${DEVICE}/telemetry`, JSON.stringify({ temperature: 20 }), {
        qos: 1,
      });
      await device.publishAsync(`devices/${DEVICE}/telemetry`, JSON.stringify({ temperature: 42 }), {
        qos: 1,
      });
      await webhook.getByRole("button", { name: "Deliveries" }).click();
      await webhook.locator('.deliveries [data-status="delivered"]', { hasText: "alert.raised" })
        .waitFor({ timeout: 30_000 });
      await shoot(page, `${TEMP_SCREENSHOTS}webhooks.png`);
      const delivery = await eventually(
        "the alert.raised delivery at the receiver",
        () => receiver.received.find((d) => JSON.parse(d.body).type === "alert.raised"),
      );
      const id = delivery.headers.get("webhook-id")!;
      const timestamp = delivery.headers.get("webhook-timestamp")!;
      assert.ok(
        delivery.headers.get("webhook-signature")!.split(" ").includes(
          await signatureOf(secret, id, timestamp, delivery.body),
        ),
        "the delivery is signed with the secret the page showed",
      );

      // Deleting the rule (asked twice) leaves the list without it.
      await nav(page, "Rules").click();
      await page.getByRole("link", { name: "Too hot" }).click();
      await page.getByRole("button", { name: "Delete…" }).click();
      await page.getByRole("button", { name: "Delete rule" }).click();
      await page.getByText("No rules yet.").waitFor({ timeout: 15_000 });

      assert.deepEqual(errors, [], "the pages logged errors or got failed responses");
    } catch (error) {
      await page?.screenshot({ path: `${TEMP_SCREENSHOTS}alerts-failure.png`, fullPage: true }).catch(
        () => {},
      );
      console.error(`failed; screenshot in ${TEMP_SCREENSHOTS}alerts-failure.png; page errors:`, errors);
      throw error;
    } finally {
      await browser.close();
      await device.endAsync(true).catch(() => {});
      await receiver.close();
      await server.close();
    }
  },
});
