/**
 * `deno run --allow-all infra/otel/jaeger_screenshot.ts <jaeger query URL> <service> <out.png>`: the
 * newest trace of `service` as Jaeger's UI shows it, photographed with headless Chromium (the README's
 * picture). The Jaeger must serve its UI (`AIOT_JAEGER_UI_ASSETS`, see infra/local/engines.sh).
 */
import { launchChromium } from "../all_in_one/chromium.ts";
import { traceIdsOf } from "./_jaeger.ts";

const [query, service, out] = Deno.args;
if (!query || !service || !out) {
  console.error("usage: jaeger_screenshot.ts <jaeger query URL> <service> <out.png>");
  Deno.exit(2);
}
const [traceId] = await traceIdsOf(service, "ingest telemetry", query);
if (!traceId) throw new Error(`Jaeger at ${query} holds no "ingest telemetry" trace of ${service}`);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 400 }, deviceScaleFactor: 1 });
  await page.goto(`${query}/trace/${traceId}`);
  // The span rows (one per span) are drawn once the trace is loaded.
  await page.getByText("deliver", { exact: false }).first().waitFor({ timeout: 30_000 });
  // Widen the "Service & Operation" column so the operation names show whole.
  const dragger = page.locator("[class*='VerticalResizer--dragger']").first();
  const box = await dragger.boundingBox();
  if (box) {
    await page.mouse.move(box.x + box.width / 2, box.y + 4);
    await page.mouse.down();
    await page.mouse.move(box.x + 330, box.y + 4, { steps: 5 });
    await page.mouse.up();
  }
  await page.screenshot({ path: out, fullPage: false });
  console.error(`trace ${traceId} → ${out}`);
} finally {
  await browser.close();
}
