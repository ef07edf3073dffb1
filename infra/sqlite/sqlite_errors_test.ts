/**
 * Which SQLite failures are retriable, with real SQLite: a full database is made with
 * `PRAGMA max_page_count`, the limit SQLite enforces exactly like a full disk (SQLITE_FULL).
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { InfrastructureError, isRetriable } from "../../core/errors.ts";
import { createSqliteSqlDriver } from "./sqlite_sql_driver.ts";
import { createSqliteTimeSeriesStore } from "./sqlite_time_series_store.ts";
import { sqliteError } from "./sqlite_errors.ts";

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

Deno.test("sqlite read models: a full database fails as a retriable InfrastructureError, and writes work again once there is space", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aiot-sqlite-full-" });
  const driver = createSqliteSqlDriver({ path: `${dir}/readmodels.db` });
  try {
    await driver.query("CREATE TABLE blobs (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    const [{ page_count }] = await driver.query<{ page_count: number }>("PRAGMA page_count") as [
      { page_count: number },
    ];
    await driver.query(`PRAGMA max_page_count = ${page_count + 2}`);
    const fill = () =>
      driver.transaction(async (tx) => {
        for (let i = 0; i < 20; i++) {
          await tx.query("INSERT INTO blobs (body) VALUES (?)", ["x".repeat(4096)]);
        }
      });
    const error = await failure(fill());
    assert.ok(error instanceof InfrastructureError, `got ${error}`);
    assert.equal(error.retriable, true);
    assert.match(error.message, /full/);
    await driver.query("PRAGMA max_page_count = 1000000");
    await fill();
    const [count] = await driver.query<{ n: number }>("SELECT count(*) AS n FROM blobs");
    assert.equal(count?.n, 20);
  } finally {
    await driver.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sqlite time series: a full database fails writes as a retriable InfrastructureError, and they succeed once there is space", async () => {
  const db = new DatabaseSync(":memory:");
  const store = createSqliteTimeSeriesStore(db);
  const points = Array.from({ length: 2000 }, (_, i) => ({
    deviceId: `d${i % 50}`,
    metric: `m${i % 7}`,
    t: 1_000 + i,
    value: i,
    seq: i,
  }));
  try {
    await store.init();
    const { page_count } = db.prepare("PRAGMA page_count").get() as { page_count: number };
    db.exec(`PRAGMA max_page_count = ${page_count}`);
    const error = await failure(store.write(points));
    assert.ok(error instanceof InfrastructureError, `got ${error}`);
    assert.equal(error.retriable, true);
    db.exec("PRAGMA max_page_count = 1000000");
    await store.write(points);
    assert.equal((await store.latest("d0")).length, 7);
  } finally {
    await store.close();
    db.close();
  }
});

Deno.test("sqliteError() makes busy, locked, I/O errors and a full disk retriable; a constraint violation is not", () => {
  const withCode = (errcode: number, message: string) => Object.assign(new Error(message), { errcode });
  // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR_WRITE (extended), SQLITE_IOERR_FSYNC, SQLITE_FULL.
  for (const errcode of [5, 6, 778, 1034, 13]) {
    const mapped = sqliteError(withCode(errcode, "simulated"), "write");
    assert.ok(mapped instanceof InfrastructureError && mapped.retriable, `errcode ${errcode}`);
  }
  const constraint = withCode(2067, "UNIQUE constraint failed: blobs.id"); // SQLITE_CONSTRAINT_UNIQUE
  assert.equal(sqliteError(constraint, "write"), constraint);
  assert.equal(isRetriable(constraint), false);
});

Deno.test("sqliteError() knows a busy database from exec(), whose errors carry no errcode: BEGIN IMMEDIATE behind another writer is retriable", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aiot-sqlite-busy-" });
  const holder = new DatabaseSync(`${dir}/busy.db`);
  const waiter = new DatabaseSync(`${dir}/busy.db`);
  try {
    holder.exec("PRAGMA journal_mode = WAL; CREATE TABLE t (x)");
    waiter.exec("PRAGMA busy_timeout = 10");
    holder.exec("BEGIN IMMEDIATE");
    let raw: unknown;
    try {
      waiter.exec("BEGIN IMMEDIATE");
    } catch (error) {
      raw = error;
    }
    assert.ok(raw, "the second writer must be refused");
    const mapped = sqliteError(raw, "log write");
    assert.ok(mapped instanceof InfrastructureError && mapped.retriable, `got ${raw}`);
    const syntax = (() => {
      try {
        waiter.exec("BEGIN NONSENSE");
      } catch (error) {
        return error;
      }
    })();
    assert.equal(sqliteError(syntax, "log write"), syntax, "a syntax error is not retriable");
  } finally {
    holder.close();
    waiter.close();
    await Deno.remove(dir, { recursive: true });
  }
});
