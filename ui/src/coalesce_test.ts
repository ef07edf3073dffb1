import assert from "node:assert/strict";
import { coalesce } from "./coalesce.ts";

Deno.test("coalesce() runs one task at a time and once more for any triggers meanwhile", async () => {
  const finish: (() => void)[] = [];
  let runs = 0;
  const trigger = coalesce(() => {
    runs++;
    return new Promise<void>((resolve) => finish.push(resolve));
  });
  trigger();
  trigger();
  trigger();
  assert.equal(runs, 1);
  finish.shift()!();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(runs, 2, "the triggers during the first run give one more run");
  finish.shift()!();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(runs, 2, "nothing was triggered during the second");
  trigger();
  assert.equal(runs, 3);
  finish.shift()!();
});

Deno.test("coalesce() goes on after a failed run", async () => {
  let runs = 0;
  const trigger = coalesce(() => {
    runs++;
    return Promise.reject(new Error("offline"));
  });
  trigger();
  await new Promise((r) => setTimeout(r, 0));
  trigger();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(runs, 2);
});
