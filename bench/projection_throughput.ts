/**
 * Rough throughput of `project()` against a raw multi-row INSERT of as many rows, on SQLite and
 * PostgreSQL: `deno run -A bench/projection_throughput.ts [events] [devices] [batch]`.
 * Defaults: 100,000 `device.state.reported` events over 1,000 devices in batches of 1,000.
 * PostgreSQL at `AIOT_TEST_POSTGRES_URL`, in a scratch schema dropped at the end.
 */
import postgres from "postgres";
import { createEvent, type DomainEvent } from "../core/events/catalog.ts";
import { createPostgresSqlDriver } from "../infra/postgres/postgres_sql_driver.ts";
import { createSqliteSqlDriver } from "../infra/sqlite/sqlite_sql_driver.ts";
import type { SqlDriver } from "../infra/readmodels/sql_driver.ts";
import { createSqlReadModelStore } from "../infra/readmodels/sql_read_model_store.ts";

const [total = 100_000, devices = 1_000, batchSize = 1_000] = Deno.args.map(Number);
const url = Deno.env.get("AIOT_TEST_POSTGRES_URL") ?? "postgres://aiot:aiot@127.0.0.1:15432/aiot";

function makeEvents(): DomainEvent[] {
  const start = Date.UTC(2025, 0, 1);
  return Array.from(
    { length: total },
    (_, i) =>
      createEvent("device.state.reported", {
        patch: { temperature: 20 + (i % 10), seq: i, fw: { v: "1.2.3" } },
      }, {
        key: `dev-${String(i % devices).padStart(5, "0")}`,
        source: "bench",
        now: () => start + i,
      }) as DomainEvent,
  );
}

async function timeProject(driver: SqlDriver, events: DomainEvent[]): Promise<number> {
  const readModels = createSqlReadModelStore(driver);
  await readModels.migrate();
  await readModels.clear();
  const began = performance.now();
  for (let i = 0; i < events.length; i += batchSize) {
    const slice = events.slice(i, i + batchSize);
    await readModels.project({
      processor: "bench",
      topic: "aiot.device",
      partition: 0,
      events: slice,
      offsets: slice.map((_, j) => i + j),
    });
  }
  return performance.now() - began;
}

/** The floor: the same number of rows, same JSON size, plain multi-row INSERTs per transaction. */
async function timeRawInsert(driver: SqlDriver, events: DomainEvent[]): Promise<number> {
  await driver.query("DROP TABLE IF EXISTS bench_raw");
  await driver.query(
    "CREATE TABLE bench_raw (id TEXT PRIMARY KEY, device_id TEXT NOT NULL, data TEXT NOT NULL)",
  );
  const began = performance.now();
  for (let i = 0; i < events.length; i += batchSize) {
    const slice = events.slice(i, i + batchSize);
    await driver.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO bench_raw (id, device_id, data) VALUES ${slice.map(() => "(?, ?, ?)").join(", ")}`,
        slice.flatMap((e) => [e.id, e.key, JSON.stringify(e.data)]),
      );
    });
  }
  const ms = performance.now() - began;
  await driver.query("DROP TABLE bench_raw");
  return ms;
}

function report(engine: string, projectMs: number, rawMs: number): void {
  const rate = (ms: number) => Math.round(total / (ms / 1000)).toLocaleString("en");
  console.log(
    `${engine.padEnd(8)} project ${rate(projectMs)} ev/s (${Math.round(projectMs)} ms)  raw insert ${
      rate(rawMs)
    } rows/s (${Math.round(rawMs)} ms)  ratio ${(projectMs / rawMs).toFixed(2)}x`,
  );
}

if (import.meta.main) {
  const events = makeEvents();
  console.log(`${total} events, ${devices} devices, batches of ${batchSize}`);

  const dir = await Deno.makeTempDir({ prefix: "aiot-rm-bench-" });
  const sqlite = createSqliteSqlDriver({ path: `${dir}/rm.db` });
  const sqliteProject = await timeProject(sqlite, events);
  report("sqlite", sqliteProject, await timeRawInsert(sqlite, events));
  await sqlite.close();
  await Deno.remove(dir, { recursive: true });

  const schema = `rm_bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE SCHEMA ${schema}`);
  try {
    const pg = await createPostgresSqlDriver({ url, searchPath: schema });
    const pgProject = await timeProject(pg, events);
    report("postgres", pgProject, await timeRawInsert(pg, events));
    await pg.close();
  } finally {
    await admin.unsafe(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}
