import assert from "node:assert/strict";
import { PLATFORM_V8_FLAGS } from "./v8_flags.ts";

const root = new URL("../../", import.meta.url);

Deno.test("deno task start and the Docker image pass the platform's V8 heap limits", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(new URL("deno.json", root))).tasks as Record<
    string,
    string
  >;
  assert.ok(tasks.start?.includes(`--v8-flags=${PLATFORM_V8_FLAGS} `), String(tasks.start));
  const dockerfile = await Deno.readTextFile(new URL("infra/deploy/Dockerfile", root));
  assert.match(dockerfile, new RegExp(`^ENV DENO_V8_FLAGS=${PLATFORM_V8_FLAGS}$`, "m"));
});

Deno.test("the platform's V8 flags hold one old-space and one semi-space limit", () => {
  const flags = PLATFORM_V8_FLAGS.split(",");
  assert.equal(flags.filter((f) => f.startsWith("--max-old-space-size=")).length, 1);
  assert.equal(flags.filter((f) => f.startsWith("--max-semi-space-size=")).length, 1);
});
