/**
 * Bench `ui`: the Preact fleet view with 5,000 devices in headless Chromium (playwright-core).
 * The platform runs in this process (embedded engines); the devices are registered through the
 * registry operations of core/devices straight onto the platform's log, in batches (the HTTP API
 * waits for the projection of each one). Measured in the page:
 * - first render: login click → first fleet row in the DOM (requestAnimationFrame polling), and
 *   → the summary showing all 5,000 devices;
 * - while 20 MQTT devices stream ~500 telemetry events/s: main-thread busy time per second, from
 *   Chrome's CDP `Performance.getMetrics` TaskDuration delta (all tasks, not only long ones), plus
 *   the long tasks of a `longtask` PerformanceObserver;
 * - long tasks (> 50 ms) while scrolling the whole list, with the telemetry still streaming.
 */
import mqtt from "mqtt";
import { registerDevice, type RegistryDeps } from "../core/devices/registry.ts";
import type { DomainEvent } from "../core/events/catalog.ts";
import { toLogMessage } from "../core/events/codec.ts";
import { launchChromium } from "../infra/all_in_one/chromium.ts";
import { startInProcess } from "../infra/all_in_one/in_process.ts";
import type { Platform } from "../infra/all_in_one/platform.ts";
import { generateToken, hashSecret } from "../infra/auth/secrets.ts";
import { getDevice, listDevices } from "../core/readmodels/mod.ts";

const DEVICES = 5_000;
/** Devices that connect and publish; only these get a real (slow, scrypt) token hash. */
const PUBLISHERS = 20;
const RATE = 500;
const BATCH = 500;
/** Stand-in credential for devices that never connect (scrypt costs ~50 ms per device). */
const FAKE_CREDENTIAL = {
  algorithm: "scrypt" as const,
  hash: "scrypt$14$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
};

export interface UiFleetResult {
  devices: number;
  registerMs: number;
  firstRowMs: number;
  allCountedMs: number | undefined;
  seconds: number;
  eventsPerSecond: number;
  /** Main-thread ms per second with no telemetry streaming (the same page, 1 s). */
  idleMsPerSecond: number;
  busyMsPerSecond: number;
  scriptMsPerSecond: number;
  /** Style recalculation, layout and the rest of the tasks (paint, parsing, GC…), ms per second. */
  styleMsPerSecond: number;
  layoutMsPerSecond: number;
  otherMsPerSecond: number;
  /** Style recalculations and layouts per second (how often the page repaints what changed). */
  stylesPerSecond: number;
  layoutsPerSecond: number;
  longTasksDuringUpdates: number;
  longTaskMsPerSecond: number;
  longestTaskMs: number;
  scrollLongTasks: number;
  scrollLongestMs: number;
}

const deviceId = (i: number) => `d-${String(i).padStart(4, "0")}`;

async function countDevices(platform: Platform): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await listDevices(platform.readModels, {
      limit: 500,
      ...(cursor === undefined ? {} : { cursor }),
    });
    count += page.items.length;
    cursor = page.next;
  } while (cursor !== undefined);
  return count;
}

/**
 * With AIOT_BENCH_UI_TRACE=<file>: a Chrome trace of 2 s of updates, after the measured window (the
 * tracing costs would skew it), to open in DevTools' Performance panel or Perfetto.
 */
async function traceUpdates(
  page: Awaited<ReturnType<Awaited<ReturnType<typeof launchChromium>>["newPage"]>>,
  browser: Awaited<ReturnType<typeof launchChromium>>,
): Promise<void> {
  const path = Deno.env.get("AIOT_BENCH_UI_TRACE");
  if (!path) return;
  await browser.startTracing(page, { path, screenshots: false });
  await new Promise((r) => setTimeout(r, 2000));
  await browser.stopTracing();
  // The renderer flushes its trace buffers after the stop: a ~60 ms task that the scroll that
  // follows must not count (seen in traced runs only).
  await page.waitForTimeout(1000);
}

export async function measureUiFleet(
  options: { seconds: number; progress: (line: string) => void },
): Promise<UiFleetResult> {
  const { progress } = options;
  const inProcess = await startInProcess({ ui: true });
  const { platform, base } = inProcess;
  const clients: mqtt.MqttClient[] = [];
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let streaming = false;
  let publisher: Promise<void> | undefined;
  try {
    // Registration: the registry operation, events buffered and appended once per batch.
    const t = performance.now();
    let pending: DomainEvent[] = [];
    const registry = (real: boolean): RegistryDeps => ({
      findDevice: (id) => getDevice(platform.readModels, id),
      appendDeviceEvents: (events) => (pending.push(...events), Promise.resolve()),
      generateToken,
      hashSecret: real ? (token) => hashSecret(token) : () => Promise.resolve(FAKE_CREDENTIAL),
      newDeviceId: () => crypto.randomUUID(),
    });
    const tokens: string[] = [];
    for (let b = 0; b < DEVICES; b += BATCH) {
      await Promise.all(Array.from({ length: Math.min(BATCH, DEVICES - b) }, async (_, k) => {
        const i = b + k;
        const { token } = await registerDevice(
          registry(i < PUBLISHERS),
          { id: deviceId(i), labels: { site: `s${i % 7}` } },
          "bench",
        );
        tokens[i] = token;
      }));
      const events = pending;
      pending = [];
      await platform.log.append(platform.topics.device, events.map(toLogMessage));
    }
    const deadline = Date.now() + 60_000;
    while (await countDevices(platform) < DEVICES) {
      if (Date.now() > deadline) {
        throw new Error(`registry read model did not reach ${DEVICES} devices in 60 s`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const registerMs = performance.now() - t;
    progress(`ui: ${DEVICES} devices registered and projected in ${Math.round(registerMs)} ms`);

    for (let i = 0; i < PUBLISHERS; i++) {
      clients.push(
        await mqtt.connectAsync(`mqtt://127.0.0.1:${platform.broker!.mqttPort}`, {
          username: deviceId(i),
          password: tokens[i]!,
          clientId: `bench-ui-${i}`,
          reconnectPeriod: 0,
        }),
      );
    }

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // In-page probes: long tasks, the login click, the first row and the full count (rAF polling).
    await page.addInitScript(`
      window.__long = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__long.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: "longtask", buffered: true });
      window.__marks = {};
      document.addEventListener("click", (e) => {
        if (window.__marks.click !== undefined) return;
        if (!(e.target instanceof Element) || !e.target.closest("button")) return;
        window.__marks.click = performance.now();
        const poll = () => {
          const m = window.__marks;
          if (m.firstRow === undefined && document.querySelector(".vlist .device-row[data-device]")) {
            m.firstRow = performance.now();
          }
          const summary = document.querySelector(".fleet .summary")?.textContent ?? "";
          if (m.allCounted === undefined && /of ${DEVICES} devices/.test(summary)) m.allCounted = performance.now();
          if (m.firstRow === undefined || m.allCounted === undefined) requestAnimationFrame(poll);
        };
        requestAnimationFrame(poll);
      }, true);
    `);
    await page.goto(base);
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill(inProcess.adminPassword);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.locator(".vlist .device-row[data-device]").first().waitFor({ timeout: 60_000 });
    await page.locator(".fleet .summary", { hasText: `of ${DEVICES} devices` }).waitFor({ timeout: 60_000 })
      .catch(() => {});
    await page.waitForTimeout(200); // let the rAF probe record
    const marks = await page.evaluate(() =>
      (globalThis as unknown as { __marks: { click: number; firstRow?: number; allCounted?: number } })
        .__marks
    );
    const firstRowMs = marks.firstRow! - marks.click;
    const allCountedMs = marks.allCounted === undefined ? undefined : marks.allCounted - marks.click;
    progress(
      `ui: login → first row ${Math.round(firstRowMs)} ms, → ${DEVICES} counted ${
        allCountedMs === undefined ? "n/a" : Math.round(allCountedMs)
      } ms`,
    );
    await page.waitForTimeout(1000); // settle: detail requests of the visible rows

    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const metrics = async () =>
      Object.fromEntries(
        (await cdp.send("Performance.getMetrics")).metrics.map((m: { name: string; value: number }) => [
          m.name,
          m.value,
        ]),
      ) as Record<string, number>;
    const idle0 = await metrics();
    const idleStart = performance.now();
    await new Promise((r) => setTimeout(r, 1000));
    const idleMsPerSecond = (((await metrics()).TaskDuration! - idle0.TaskDuration!) * 1000) /
      ((performance.now() - idleStart) / 1000);

    // Telemetry: ~RATE events/s round-robin over the publishing devices, paced against the clock.
    let sent = 0;
    streaming = true;
    const streamStart = performance.now();
    publisher = (async () => {
      while (streaming) {
        const target = Math.floor(((performance.now() - streamStart) / 1000) * RATE);
        const sends: Promise<unknown>[] = [];
        for (; sent < target; sent++) {
          const i = sent % PUBLISHERS;
          sends.push(clients[i]!.publishAsync(
            `devices/${deviceId(i)}/telemetry`,
            JSON.stringify({ temperature: Math.round(Math.random() * 300) / 10 }),
            { qos: 0 },
          ));
        }
        await Promise.all(sends);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await page.waitForTimeout(500); // the stream reaches the page before the window opens

    const pageNow = () => page.evaluate(() => performance.now());
    const m0 = await metrics();
    const p0 = await pageNow();
    const sent0 = sent;
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, options.seconds * 1000));
    const m1 = await metrics();
    const p1 = await pageNow();
    const wallS = (performance.now() - w0) / 1000;
    const eventsPerSecond = (sent - sent0) / wallS;
    const busyMsPerSecond = ((m1.TaskDuration! - m0.TaskDuration!) * 1000) / wallS;
    const perSecond = (name: string, scale = 1000) => ((m1[name]! - m0[name]!) * scale) / wallS;
    const scriptMsPerSecond = perSecond("ScriptDuration");
    type LongTask = { start: number; duration: number };
    const longTasks = () => page.evaluate(() => (globalThis as unknown as { __long: LongTask[] }).__long);
    const during = (await longTasks()).filter((l) => l.start >= p0 && l.start < p1);
    progress(
      `ui: ${Math.round(eventsPerSecond)} events/s for ${wallS.toFixed(1)} s: main thread ${
        Math.round(busyMsPerSecond)
      } ms/s (script ${Math.round(scriptMsPerSecond)}, style ${
        Math.round(perSecond("RecalcStyleDuration"))
      }, layout ${Math.round(perSecond("LayoutDuration"))}), ${during.length} long tasks`,
    );
    await traceUpdates(page, browser);

    // Scroll top to bottom in 40 steps of two frames each, the telemetry still streaming.
    const scroll = await page.evaluate(`(async () => {
      const list = document.querySelector(".vlist");
      const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const start = performance.now();
      const steps = 40;
      for (let s = 1; s <= steps; s++) {
        list.scrollTop = ((list.scrollHeight - list.clientHeight) * s) / steps;
        await frame();
      }
      await new Promise((r) => setTimeout(r, 100));
      return { start, end: performance.now() };
    })()`) as { start: number; end: number };
    streaming = false;
    await publisher;
    const scrolling = (await longTasks()).filter((l) => l.start >= scroll.start && l.start < scroll.end);
    progress(`ui: scroll (${Math.round(scroll.end - scroll.start)} ms): ${scrolling.length} long tasks`);

    return {
      devices: DEVICES,
      registerMs,
      firstRowMs,
      allCountedMs,
      seconds: wallS,
      eventsPerSecond,
      idleMsPerSecond,
      busyMsPerSecond,
      scriptMsPerSecond,
      styleMsPerSecond: perSecond("RecalcStyleDuration"),
      layoutMsPerSecond: perSecond("LayoutDuration"),
      otherMsPerSecond: perSecond("TaskOtherDuration"),
      stylesPerSecond: perSecond("RecalcStyleCount", 1),
      layoutsPerSecond: perSecond("LayoutCount", 1),
      longTasksDuringUpdates: during.length,
      longTaskMsPerSecond: during.reduce((s, l) => s + l.duration, 0) / wallS,
      longestTaskMs: Math.max(0, ...during.map((l) => l.duration)),
      scrollLongTasks: scrolling.length,
      scrollLongestMs: Math.max(0, ...scrolling.map((l) => l.duration)),
    };
  } finally {
    streaming = false;
    await publisher?.catch(() => {});
    await browser?.close().catch(() => {});
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    await inProcess.close();
    await Deno.remove(inProcess.dataDir, { recursive: true }).catch(() => {});
  }
}
