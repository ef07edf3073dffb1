/**
 * Debian's Chromium for browser tests and benchmarks, launched with the flags that work on these
 * machines (services.md). Never a downloaded browser.
 */
import { chromium } from "playwright-core";

export const CHROMIUM = Deno.env.get("AIOT_CHROMIUM") ?? "/usr/bin/chromium";

export interface LaunchOptions {
  /** Lets muted video play without a user gesture (video tests). Default false. */
  autoplay?: boolean;
}

export async function launchChromium(
  options: LaunchOptions = {},
): Promise<Awaited<ReturnType<typeof chromium.launch>>> {
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
      ...(options.autoplay ? ["--autoplay-policy=no-user-gesture-required"] : []),
    ],
  });
}

type Browser = Awaited<ReturnType<typeof chromium.launch>>;

/**
 * A fresh browser context logged in to the dashboard at `base` as `username`, waiting for the fleet
 * page. Console errors, page errors and every HTTP answer ≥ 400 go to `errors`, which the page tests
 * assert empty (a test that expects a 4xx removes it).
 */
export async function loggedInPage(
  browser: Browser,
  base: string,
  username: string,
  password: string,
  errors: string[],
) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    permissions: ["clipboard-read", "clipboard-write"],
  });
  const page = await context.newPage();
  page.on("console", (m) => m.type() === "error" && errors.push(`${username}: ${m.text()}`));
  page.on("pageerror", (e) => errors.push(`${username}: page error: ${e.message}`));
  page.on("response", async (r) => {
    if (r.status() >= 400) {
      errors.push(
        `${username}: ${r.status()} ${r.request().method()} ${r.url()} ${await r.text().catch(() => "")}`,
      );
    }
  });
  await page.goto(base);
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "Fleet" }).waitFor();
  return page;
}
