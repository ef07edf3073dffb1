// The two-slot rewrite of FerretDB (`"replace"`) against the real server: a crash between its
// steps leaves a complete current version, and the next write tidies up.
import assert from "node:assert/strict";
import { type AnyBulkWriteOperation, type Collection, MongoClient } from "mongodb";
import { MONGO_URL, withDatabase } from "./_mongo_test_support.ts";
import { currentByKey, readMergeWrite, type RewriteMode, type Versioned } from "./_mongo_versioned.ts";

interface Counter extends Versioned {
  n: number;
}

const add = (counters: Collection<Counter>, n: number, mode: RewriteMode = "replace") =>
  readMergeWrite(counters, ["a", "b"], { mode, guarded: false }, (_key, doc) => ({ n: (doc?.n ?? 0) + n }));

const stored = async (counters: Collection<Counter>) =>
  (await counters.find().sort({ _id: 1 }).toArray()).map((doc) => [doc._id, doc.n, doc.ver]);

function withCounters(fn: (counters: Collection<Counter>) => Promise<void>) {
  return withDatabase(async (database) => {
    const client = new MongoClient(MONGO_URL);
    try {
      await fn(client.db(database).collection<Counter>("counters"));
    } finally {
      await client.close();
    }
  });
}

Deno.test("readMergeWrite() replacing: a crash after the new versions went in and before the old ones went out keeps the new ones current", () =>
  withCounters(async (counters) => {
    await add(counters, 1);
    assert.deepEqual(await stored(counters), [["a#0", 1, 1], ["b#0", 1, 1]]);
    // The crash: the write's inserts run, its deletes of the old versions never do.
    const crashing = new Proxy(counters, {
      get: (target, name, receiver) =>
        name === "bulkWrite"
          ? (ops: AnyBulkWriteOperation<Counter>[], options: object) =>
            target.bulkWrite(ops.filter((op) => "insertOne" in op), options)
          : Reflect.get(target, name, receiver),
    });
    await add(crashing, 10);
    const both = await counters.find().toArray();
    assert.equal(both.length, 4, "old and new versions side by side");
    assert.deepEqual([...currentByKey(both).values()].map((doc) => doc.n), [11, 11]);
    // The next write goes on from the newer version, into the slot the older one held.
    await add(counters, 100);
    assert.deepEqual(await stored(counters), [["a#0", 111, 3], ["b#0", 111, 3]]);
  }));

Deno.test("readMergeWrite() updating in place keeps one document per key", () =>
  withCounters(async (counters) => {
    await add(counters, 1, "update");
    await add(counters, 10, "update");
    assert.deepEqual(await stored(counters), [["a#0", 11, 2], ["b#0", 11, 2]]);
  }));
