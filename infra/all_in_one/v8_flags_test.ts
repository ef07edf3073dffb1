import assert from "node:assert/strict";
import { LEAN_V8_FLAGS } from "./v8_flags.ts";

const root = new URL("../../", import.meta.url);

Deno.test("deno task start:lean passes the lean profile's V8 heap limits, deno task start none", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(new URL("deno.json", root))).tasks as Record<
    string,
    string
  >;
  assert.ok(tasks["start:lean"]?.includes(`--v8-flags=${LEAN_V8_FLAGS} `), String(tasks["start:lean"]));
  assert.equal(tasks["start:lean"]?.replace(` --v8-flags=${LEAN_V8_FLAGS}`, ""), tasks.start);
});

Deno.test("the lean profile holds one old-space and one semi-space limit", () => {
  const flags = LEAN_V8_FLAGS.split(",");
  assert.equal(flags.filter((f) => f.startsWith("--max-old-space-size=")).length, 1);
  assert.equal(flags.filter((f) => f.startsWith("--max-semi-space-size=")).length, 1);
});
