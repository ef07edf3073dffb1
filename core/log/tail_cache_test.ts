import assert from "node:assert/strict";
import type { LogRecord } from "./event_log.ts";
import { TailCache } from "./tail_cache.ts";

const records = (from: number, count: number): LogRecord[] =>
  Array.from({ length: count }, (_, i) => ({
    topic: "t",
    partition: 0,
    offset: from + i,
    key: "k",
    value: String(from + i),
    headers: {},
    timestamp: 0,
  }));

Deno.test("TailCache.read() serves a contiguous run and the same record objects to every reader", () => {
  const cache = new TailCache(10);
  const added = records(5, 4);
  cache.add("t", 0, added);
  assert.equal(cache.read("t", 0, 4, 10), undefined, "before the run: storage");
  assert.equal(cache.read("t", 0, 9, 10), undefined, "at the end: nothing cached yet");
  assert.equal(cache.read("t", 1, 5, 10), undefined, "another partition");
  const first = cache.read("t", 0, 6, 2)!;
  assert.deepEqual(first.map((r) => r.offset), [6, 7]);
  assert.equal(first[0], added[1], "the appended object itself");
});

Deno.test("TailCache.add() restarts the run when offsets jump (another process appended)", () => {
  const cache = new TailCache(10);
  cache.add("t", 0, records(0, 3));
  cache.add("t", 0, records(7, 2));
  assert.equal(cache.read("t", 0, 1, 10), undefined);
  assert.deepEqual(cache.read("t", 0, 7, 10)!.map((r) => r.offset), [7, 8]);
});

Deno.test("TailCache keeps at least `capacity` newest records and drops older ones", () => {
  const cache = new TailCache(4);
  for (let i = 0; i < 20; i++) cache.add("t", 0, records(i, 1));
  assert.equal(cache.read("t", 0, 0, 10), undefined);
  assert.deepEqual(cache.read("t", 0, 16, 10)!.map((r) => r.offset), [16, 17, 18, 19]);
  const off = new TailCache(0);
  off.add("t", 0, records(0, 3));
  assert.equal(off.read("t", 0, 0, 10), undefined, "capacity 0 turns the cache off");
});

Deno.test("TailCache.caughtUp() is true at or past this process's newest append, never with the cache off", () => {
  const cache = new TailCache(4);
  assert.equal(cache.caughtUp("t", 0, 0), true, "nothing appended here");
  cache.add("t", 0, records(0, 3));
  assert.equal(cache.caughtUp("t", 0, 2), false);
  assert.equal(cache.caughtUp("t", 0, 3), true);
  assert.equal(new TailCache(0).caughtUp("t", 0, 0), false);
});

Deno.test("TailCache.addRead() keeps records read from storage that continue the run, not older ones", () => {
  const cache = new TailCache(10);
  const read = records(3, 2);
  cache.addRead("t", 0, read);
  assert.equal(cache.read("t", 0, 3, 10)![0], read[0], "a second reader shares the objects");
  cache.addRead("t", 0, records(0, 2));
  assert.equal(cache.read("t", 0, 0, 10), undefined, "older records are not kept");
  cache.addRead("t", 0, records(5, 1));
  assert.deepEqual(cache.read("t", 0, 3, 10)!.map((r) => r.offset), [3, 4, 5]);
});
