/**
 * `ProcessorStateStore` on SQL (SQLite and PostgreSQL over the same `SqlDriver`): one row per
 * (processor, key) with the value as JSON text, and one per (processor, partition) with the next
 * offset the state has not read. A save is one transaction, so entries and positions never
 * disagree. Rows are upserted in multi-row statements: a batch touching a thousand devices is a
 * few statements, not a thousand.
 */
import type {
  ProcessorStateStore,
  StateChanges,
  StateSnapshot,
  StateValue,
} from "../../core/processing/state_store.ts";
import { type Migration, runMigrations } from "./schema_migrations.ts";
import type { SqlDriver, SqlParam, SqlTx } from "./sql_driver.ts";

const migrations: readonly Migration[] = [{
  version: 3001,
  description: "processor state and positions",
  statements: [
    `CREATE TABLE IF NOT EXISTS processor_state (
      processor {key} NOT NULL, key {key} NOT NULL, value TEXT NOT NULL, PRIMARY KEY (processor, key))`,
    `CREATE TABLE IF NOT EXISTS processor_positions (
      processor {key} NOT NULL, position {key} NOT NULL, next_offset BIGINT NOT NULL,
      PRIMARY KEY (processor, position))`,
  ],
}];

/** Rows per multi-row statement: 3 parameters each stays far below both engines' limits. */
const ROWS_PER_STATEMENT = 500;

async function upsertRows(
  tx: SqlTx,
  head: string,
  conflict: string,
  rows: readonly (readonly SqlParam[])[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    const values = chunk.map((row) => `(${row.map(() => "?").join(", ")})`).join(", ");
    await tx.query(`${head} VALUES ${values} ${conflict}`, chunk.flat());
  }
}

export function createSqlProcessorStateStore(driver: SqlDriver): ProcessorStateStore {
  return {
    async migrate() {
      await runMigrations(driver, { migrations });
    },
    async load(processor): Promise<StateSnapshot> {
      const [entries, positions] = await Promise.all([
        driver.query<{ key: string; value: string }>(
          "SELECT key, value FROM processor_state WHERE processor = ?",
          [processor],
        ),
        driver.query<{ position: string; next_offset: unknown }>(
          "SELECT position, next_offset FROM processor_positions WHERE processor = ?",
          [processor],
        ),
      ]);
      return {
        entries: new Map(entries.map((row) => [row.key, JSON.parse(row.value) as StateValue])),
        positions: new Map(positions.map((row) => [row.position, Number(row.next_offset)])),
      };
    },
    async save(processor, changes: StateChanges) {
      if (changes.put.size === 0 && changes.remove.length === 0 && changes.positions.size === 0) return;
      await driver.transaction(async (tx) => {
        await upsertRows(
          tx,
          "INSERT INTO processor_state (processor, key, value)",
          "ON CONFLICT (processor, key) DO UPDATE SET value = excluded.value",
          [...changes.put].map(([key, value]) => [processor, key, JSON.stringify(value)]),
        );
        for (let i = 0; i < changes.remove.length; i += ROWS_PER_STATEMENT) {
          const keys = changes.remove.slice(i, i + ROWS_PER_STATEMENT);
          await tx.query(
            `DELETE FROM processor_state WHERE processor = ? AND key IN (${keys.map(() => "?").join(", ")})`,
            [processor, ...keys],
          );
        }
        await upsertRows(
          tx,
          "INSERT INTO processor_positions (processor, position, next_offset)",
          "ON CONFLICT (processor, position) DO UPDATE SET next_offset = excluded.next_offset",
          [...changes.positions].map(([position, next]) => [processor, position, next]),
        );
      });
    },
    close: () => driver.close(),
  };
}
