/**
 * Debian's Chromium for browser tests and benchmarks, launched with the flags that work on these
 * machines (services.md). Never a downloaded browser.
 */
import { chromium } from "playwright-core";

export const CHROMIUM = Deno.env.get("AIOT_CHROMIUM") ?? "/usr/bin/chromium";

export async function launchChromium(): Promise<Awaited<ReturnType<typeof chromium.launch>>> {
  await Deno.stat(CHROMIUM).catch(() => {
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set AIOT_CHROMIUM)`);
  });
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
