import assert from "node:assert/strict";
import { jsonEqual, mergePatch, stateDelta } from "./json_patch.ts";

Deno.test("mergePatch() merges objects recursively and deletes keys set to null", () => {
  const target = { a: 1, nested: { x: 1, y: 2 }, list: [1, 2], gone: true };
  const result = mergePatch(target, { nested: { y: null, z: 3 }, list: [3], gone: null, b: "new" });
  assert.deepEqual(result, { a: 1, nested: { x: 1, z: 3 }, list: [3], b: "new" });
  assert.deepEqual(target, { a: 1, nested: { x: 1, y: 2 }, list: [1, 2], gone: true }, "input untouched");
});

Deno.test("mergePatch() replaces a scalar by an object without keeping its nulls", () => {
  assert.deepEqual(mergePatch({ a: 1 }, { a: { b: null, c: 2 } }), { a: { c: 2 } });
});

Deno.test("jsonEqual() ignores key order and compares arrays by position", () => {
  assert.ok(jsonEqual({ a: 1, b: { c: [1, { d: 2 }] } }, { b: { c: [1, { d: 2 }] }, a: 1 }));
  assert.ok(!jsonEqual([1, 2], [2, 1]));
  assert.ok(!jsonEqual({ a: 1 }, { a: 1, b: null }));
  assert.ok(!jsonEqual({ a: [] }, { a: {} }));
});

Deno.test("stateDelta() keeps only the desired leaves that differ from reported", () => {
  const desired = { mode: "eco", fan: { speed: 3, on: true }, target: 21, list: [1] };
  const reported = { mode: "eco", fan: { speed: 2, on: true }, list: [1], extra: 1 };
  assert.deepEqual(stateDelta(desired, reported), { fan: { speed: 3 }, target: 21 });
  assert.deepEqual(stateDelta({ fan: { on: true } }, { fan: "off" }), { fan: { on: true } });
  assert.deepEqual(stateDelta({ a: 1 }, { a: 1 }), {});
});
