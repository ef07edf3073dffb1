/**
 * Shared by the MongoDB adapter tests: the server under test (real FerretDB from
 * `AIOT_TEST_MONGO_URL`, never skipped) and one throw-away database per test.
 */
import { MongoClient } from "mongodb";

export const MONGO_URL = Deno.env.get("AIOT_TEST_MONGO_URL") ?? "mongodb://127.0.0.1:17017/";

const RUN = `${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 6)}`;
let counter = 0;

/** Runs `fn` with a fresh database name and drops that database afterwards. */
export async function withDatabase(fn: (database: string) => Promise<void>): Promise<void> {
  const database = `aiot_test_ts_${RUN}_${++counter}`;
  try {
    await fn(database);
  } finally {
    const client = new MongoClient(MONGO_URL, { serverSelectionTimeoutMS: 5_000 });
    try {
      await client.db(database).dropDatabase();
    } finally {
      await client.close();
    }
  }
}

/**
 * Whether the server applies a conditional update (`{_id, seq: read}`) atomically. FerretDB v1
 * (SQLite backend) does not: 3 clients doing 450 successful compare-and-set increments of one
 * document left it at 238 (measured 2026-11-28). Real MongoDB does.
 */
export async function atomicConditionalUpdates(): Promise<boolean> {
  const client = new MongoClient(MONGO_URL, { serverSelectionTimeoutMS: 5_000 });
  try {
    return !("ferretdbVersion" in await client.db("admin").command({ buildInfo: 1 }));
  } finally {
    await client.close();
  }
}
