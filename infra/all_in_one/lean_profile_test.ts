import assert from "node:assert/strict";
import { LEAN_ENV, LEAN_V8_FLAGS } from "./lean_profile.ts";

const root = new URL("../../", import.meta.url);

Deno.test("deno task start:lean passes the lean profile's environment and V8 heap limits, deno task start none", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(new URL("deno.json", root))).tasks as Record<
    string,
    string
  >;
  const env = Object.entries(LEAN_ENV).map(([name, value]) => `${name}=${value} `).join("");
  const lean = tasks["start:lean"] ?? "";
  assert.ok(lean.startsWith(env), lean);
  assert.ok(lean.includes(`--v8-flags=${LEAN_V8_FLAGS} `), lean);
  assert.equal(lean.slice(env.length).replace(` --v8-flags=${LEAN_V8_FLAGS}`, ""), tasks.start);
});

Deno.test("the lean profile holds one old-space and one semi-space limit", () => {
  const flags = LEAN_V8_FLAGS.split(",");
  assert.equal(flags.filter((f) => f.startsWith("--max-old-space-size=")).length, 1);
  assert.equal(flags.filter((f) => f.startsWith("--max-semi-space-size=")).length, 1);
});
