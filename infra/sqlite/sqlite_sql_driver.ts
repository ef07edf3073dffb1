/**
 * `SqlDriver` over `node:sqlite` for the embedded read models: WAL, a busy timeout for other
 * processes sharing the file, and `BEGIN IMMEDIATE` transactions. The driver is synchronous but
 * `project()` awaits between statements, so one in-process mutex orders every transaction and
 * every query on the shared connection: a read never sees another caller's half-done transaction.
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { SqlDriver, SqlParam, SqlTx } from "../readmodels/sql_driver.ts";
import { sqliteError as mapError } from "./sqlite_errors.ts";

export interface SqliteSqlDriverOptions {
  /** Database file, or `:memory:`. */
  path: string;
  /** How long to wait for another process's write lock. Default 5,000 ms. */
  busyTimeoutMs?: number;
  /**
   * `"process"` (default, `synchronous=NORMAL`): a commit survives a crash of the process; after
   * a power cut the last commits may be lost, rows and checkpoint together, so they are simply
   * projected again. `"fsync"` (`synchronous=FULL`) survives power loss too.
   */
  durability?: "fsync" | "process";
}

/** Prepared statements kept per connection; multi-row statements vary in length, hence a bound. */
const STATEMENT_CACHE_SIZE = 256;

/** Opens the database at `options.path` (created when missing). */
export function createSqliteSqlDriver(options: SqliteSqlDriverOptions): SqlDriver {
  const db = new DatabaseSync(options.path);
  db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}; PRAGMA journal_mode = WAL;
    PRAGMA synchronous = ${options.durability === "fsync" ? "FULL" : "NORMAL"};`);
  const statements = new Map<string, StatementSync>();
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;

  function statement(sql: string): StatementSync {
    let prepared = statements.get(sql);
    if (prepared === undefined) {
      prepared = db.prepare(sql);
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
    } else {
      statements.delete(sql); // re-inserted below: the map order is the recency order
    }
    statements.set(sql, prepared);
    return prepared;
  }

  function run<R>(sql: string, params: readonly SqlParam[]): R[] {
    try {
      if (params.some(Array.isArray)) throw new TypeError(`Cannot bind an array on SQLite: ${sql}`);
      return statement(sql).all(...params as (string | number | null)[]) as R[];
    } catch (error) {
      throw mapError(error, "query");
    }
  }

  /** Runs `fn` after every earlier caller has finished. */
  function exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = tail.then(() => {
      if (closed) throw new Error("Cannot use a closed SQLite driver");
      return fn();
    });
    tail = result.catch(() => {});
    return result;
  }

  return {
    dialect: "sqlite",

    query: <R>(sql: string, params: readonly SqlParam[] = []) => exclusive(() => run<R>(sql, params)),

    transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
      return exclusive(async () => {
        try {
          db.exec("BEGIN IMMEDIATE");
        } catch (error) {
          throw mapError(error, "BEGIN IMMEDIATE");
        }
        let open = true;
        const tx: SqlTx = {
          query: <R>(sql: string, params: readonly SqlParam[] = []) => {
            try {
              if (!open) throw new Error("Cannot use a transaction after it ended");
              return Promise.resolve(run<R>(sql, params));
            } catch (error) {
              return Promise.reject(error);
            }
          },
        };
        try {
          const result = await fn(tx);
          db.exec("COMMIT");
          return result;
        } catch (error) {
          if (db.isTransaction) db.exec("ROLLBACK");
          throw mapError(error, "transaction");
        } finally {
          open = false;
        }
      });
    },

    close: () =>
      closed ? Promise.resolve() : exclusive(() => {
        closed = true;
        statements.clear();
        db.close();
      }),
  };
}
