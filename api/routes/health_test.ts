import assert from "node:assert/strict";
import { createTestApp } from "../_test_app.ts";
import { createApp } from "../app.ts";
import { recordingLogger } from "../../core/logging/mod.ts";

const failing = () =>
  Promise.resolve([
    { name: "log (kafka)", ok: true },
    {
      name: "readmodels (postgresql)",
      ok: false,
      detail: 'password authentication failed for user "aiot" at 10.0.0.5:5432',
    },
  ]);

/** Runs `fn` with console.error captured. */
async function capturingErrors(fn: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  try {
    await fn();
  } finally {
    console.error = original;
  }
  return lines;
}

Deno.test("GET /readyz tells anonymous callers only which component is ok, never an engine's error", async () => {
  for (const app of [createApp({ readiness: failing }), (await createTestApp({ readiness: failing })).app]) {
    let body: unknown;
    await capturingErrors(async () => {
      const response = await app.request("/readyz");
      assert.equal(response.status, 503);
      body = await response.json();
    });
    assert.deepEqual(body, {
      status: "not_ready",
      checks: [{ name: "log (kafka)", ok: true }, { name: "readmodels (postgresql)", ok: false }],
    });
  }
});

Deno.test("GET /readyz gives admins the details; viewers and operators get what anonymous callers get", async () => {
  const t = await createTestApp({ readiness: failing });
  await capturingErrors(async () => {
    const admin = await (await t.call("GET", "/readyz", { as: "admin" })).json();
    assert.match(admin.checks[1].detail, /password authentication failed/);
    for (const role of ["viewer", "operator"]) {
      const other = await (await t.call("GET", "/readyz", { as: role })).json();
      assert.equal(other.checks[1].detail, undefined, role);
    }
  });
});

Deno.test("GET /readyz logs a failing check's detail once, and again when it changes", async () => {
  let detail = "connection refused";
  const logger = recordingLogger();
  const app = createApp({
    readiness: () => Promise.resolve([{ name: "log (kafka)", ok: false, detail }]),
    logger,
  });
  for (let i = 0; i < 3; i++) await (await app.request("/readyz")).body?.cancel();
  detail = "broker not available";
  await (await app.request("/readyz")).body?.cancel();
  assert.deepEqual(logger.lines.map((l) => [l.level, l.component, l.msg, l.fields]), [
    ["warn", "readyz", "not ready", { check: "log (kafka)", detail: "connection refused" }],
    ["warn", "readyz", "not ready", { check: "log (kafka)", detail: "broker not available" }],
  ]);
});
