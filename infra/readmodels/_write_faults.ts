/**
 * Test support: a `SqlDriver` wrapper that makes `INSERT INTO <table>` throw inside a
 * transaction while `faults.failWritesTo` names that table, to prove a failed projection leaves
 * nothing behind. The contract's table names are the SQL table names.
 */
import type { WriteFaults } from "../../core/testing/in_memory_read_model_store.ts";
import type { SqlDriver, SqlParam } from "./sql_driver.ts";

export function withWriteFaults(driver: SqlDriver, faults: WriteFaults): SqlDriver {
  return {
    dialect: driver.dialect,
    query: (sql, params) => driver.query(sql, params),
    transaction: (fn) =>
      driver.transaction((tx) =>
        fn({
          query: <R>(sql: string, params?: readonly SqlParam[]) => {
            const table = /^\s*INSERT INTO (\w+)/.exec(sql)?.[1];
            if (table !== undefined && table === faults.failWritesTo) {
              return Promise.reject(new Error(`Injected failure writing to ${table}`));
            }
            return tx.query<R>(sql, params);
          },
        })
      ),
    close: () => driver.close(),
  };
}
