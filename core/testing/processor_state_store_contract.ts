/**
 * The contract every ProcessorStateStore passes (the fake, SQLite, PostgreSQL): snapshots
 * round-trip, saves are per processor, removals and positions apply, and values keep their JSON.
 */
import assert from "node:assert/strict";
import type { ProcessorStateStore, StateValue } from "../processing/state_store.ts";

export type ProcessorStateStoreFactory = () => Promise<
  { store: ProcessorStateStore; cleanup?(): Promise<void> }
>;

const withStore =
  (factory: ProcessorStateStoreFactory, fn: (store: ProcessorStateStore) => Promise<void>) => async () => {
    const { store, cleanup } = await factory();
    try {
      await store.migrate();
      await store.migrate(); // idempotent
      await fn(store);
    } finally {
      await store.close();
      await cleanup?.();
    }
  };

export function processorStateStoreContract(
  factory: ProcessorStateStoreFactory,
): { name: string; fn: () => Promise<void> }[] {
  const cases: [string, (store: ProcessorStateStore) => Promise<void>][] = [
    ["load() of a processor that never saved is empty", async (store) => {
      const snapshot = await store.load("nobody");
      assert.equal(snapshot.entries.size, 0);
      assert.equal(snapshot.positions.size, 0);
    }],
    ["save() then load() round-trips entries and positions", async (store) => {
      const value = { phase: "open", raisedAt: 1_700_000_000_123, lastValue: 21.5, tags: ["a", null, true] };
      await store.save("rules", {
        put: new Map<string, StateValue>([["device:d1", value], ["rule:r1", "x"]]),
        remove: [],
        positions: new Map([["aiot.telemetry/0", 42], ["aiot.alert/3", 7]]),
      });
      const snapshot = await store.load("rules");
      assert.deepEqual(Object.fromEntries(snapshot.entries), { "device:d1": value, "rule:r1": "x" });
      assert.deepEqual(Object.fromEntries(snapshot.positions), { "aiot.telemetry/0": 42, "aiot.alert/3": 7 });
    }],
    ["later saves overwrite, remove, and advance only the named positions", async (store) => {
      await store.save("rules", {
        put: new Map<string, StateValue>([["a", 1], ["b", 2]]),
        remove: [],
        positions: new Map([["t/0", 10], ["t/1", 20]]),
      });
      await store.save("rules", {
        put: new Map<string, StateValue>([["a", { n: 3 }]]),
        remove: ["b", "missing"],
        positions: new Map([["t/1", 25]]),
      });
      const snapshot = await store.load("rules");
      assert.deepEqual(Object.fromEntries(snapshot.entries), { a: { n: 3 } });
      assert.deepEqual(Object.fromEntries(snapshot.positions), { "t/0": 10, "t/1": 25 });
    }],
    ["processors do not see each other's state", async (store) => {
      await store.save("p1", { put: new Map([["k", 1]]), remove: [], positions: new Map([["t/0", 1]]) });
      await store.save("p2", { put: new Map([["k", 2]]), remove: [], positions: new Map() });
      assert.deepEqual(Object.fromEntries((await store.load("p1")).entries), { k: 1 });
      assert.deepEqual(Object.fromEntries((await store.load("p2")).entries), { k: 2 });
      assert.equal((await store.load("p2")).positions.size, 0);
    }],
    ["a thousand entries in one save", async (store) => {
      const put = new Map(Array.from({ length: 1000 }, (_, i) => [`device:d${i}`, { i }] as const));
      await store.save("bulk", { put, remove: [], positions: new Map([["t/0", 1000]]) });
      const snapshot = await store.load("bulk");
      assert.equal(snapshot.entries.size, 1000);
      assert.deepEqual(snapshot.entries.get("device:d999"), { i: 999 });
    }],
  ];
  return cases.map(([name, fn]) => ({ name, fn: withStore(factory, fn) }));
}
