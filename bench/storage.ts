/**
 * Bench `storage`: projection throughput of the stores against their raw drivers doing the plain
 * part of the same work (SQLite inserts, MongoDB insertMany, PostgreSQL multi-row INSERT), plus
 * the dashboard query: 7 days of 1 Hz points of one metric downsampled to 1 h buckets (p50/p95).
 */
import { DatabaseSync } from "node:sqlite";
import { MongoClient } from "mongodb";
import postgres from "postgres";
import { createEvent, type DomainEvent } from "../core/events/catalog.ts";
import type { MetricPoint, TimeSeriesStore } from "../core/timeseries/time_series_store.ts";
import { createMongoTimeSeriesStore } from "../infra/mongo/mod.ts";
import { createPostgresSqlDriver } from "../infra/postgres/mod.ts";
import { createSqlReadModelStore } from "../infra/readmodels/sql_read_model_store.ts";
import { createSqliteSqlDriver } from "../infra/sqlite/sqlite_sql_driver.ts";
import { createSqliteTimeSeriesStore } from "../infra/sqlite/sqlite_time_series_store.ts";
import type { Comparison, Sample } from "./harness.ts";
import type { ReadModelStore } from "../core/readmodels/mod.ts";

const BATCH = 1000;
const HOUR = 3_600_000;

function points(count: number, seq0: number): MetricPoint[] {
  const t0 = Date.now() - 2 * 86_400_000;
  return Array.from({ length: count }, (_, i) => ({
    deviceId: `device-${i % 100}`,
    metric: `m${Math.floor(i / 100) % 10}`,
    t: t0 + Math.floor(i / 1000) * 1000 + (i % 1000),
    value: (i % 500) / 10,
    seq: seq0 + i,
  }));
}

const tempDir = () => Deno.makeTempDir({ prefix: "aiot-bench-storage-" });

async function timed(work: () => Promise<void>, units: number): Promise<Sample> {
  const started = performance.now();
  await work();
  return { units, ms: performance.now() - started };
}

function sqliteTimeSeries(count: number): Comparison {
  return {
    name: "time series write (SQLite, fsync, 1000/batch)",
    unit: "points/s",
    baseline: {
      label: "node:sqlite INSERT (point rows only)",
      run: async () => {
        const db = new DatabaseSync(`${await tempDir()}/raw.db`);
        db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
          CREATE TABLE points (device_id TEXT, metric TEXT, t INTEGER, v, PRIMARY KEY (device_id, metric, t)) WITHOUT ROWID;`);
        const insert = db.prepare("INSERT INTO points VALUES (?, ?, ?, ?)");
        const data = points(count, 0);
        const sample = await timed(() => {
          for (let i = 0; i < data.length; i += BATCH) {
            db.exec("BEGIN");
            for (const p of data.slice(i, i + BATCH)) {
              insert.run(p.deviceId, p.metric, p.t, p.value as number);
            }
            db.exec("COMMIT");
          }
          return Promise.resolve();
        }, count);
        db.close();
        return sample;
      },
    },
    aiot: {
      label: "SqliteTimeSeriesStore.write (+ rollups, latest)",
      run: async () => {
        const store = createSqliteTimeSeriesStore(`${await tempDir()}/ts.db`);
        await store.init();
        const data = points(count, 0);
        const sample = await timed(async () => {
          for (let i = 0; i < data.length; i += BATCH) await store.write(data.slice(i, i + BATCH));
        }, count);
        await store.close();
        return sample;
      },
    },
  };
}

function mongoTimeSeries(url: string, count: number): Comparison {
  const database = `aiot_bench_${Date.now().toString(36)}`;
  let round = 0;
  return {
    name: "time series write (MongoDB wire: FerretDB here, 1000/batch)",
    unit: "points/s",
    baseline: {
      label: "insertMany (point documents only)",
      run: async () => {
        const client = new MongoClient(url);
        const collection = client.db(database).collection(`raw_${++round}`);
        const data = points(count, 0).map((p) => ({
          meta: { d: p.deviceId, m: p.metric },
          t: new Date(p.t),
          v: p.value,
        }));
        const sample = await timed(async () => {
          for (let i = 0; i < data.length; i += BATCH) await collection.insertMany(data.slice(i, i + BATCH));
        }, count);
        await client.close();
        return sample;
      },
    },
    aiot: {
      label: "MongoTimeSeriesStore.write (+ rollups, latest)",
      run: async () => {
        const store = createMongoTimeSeriesStore({ url, database, collectionPrefix: `ts${++round}_` });
        await store.init();
        const data = points(count, 0);
        const sample = await timed(async () => {
          for (let i = 0; i < data.length; i += BATCH) await store.write(data.slice(i, i + BATCH));
        }, count);
        await store.close();
        return sample;
      },
    },
  };
}

function stateEvents(count: number): DomainEvent[] {
  return Array.from(
    { length: count },
    (_, i) =>
      createEvent("device.state.reported", { patch: { reading: i, fw: "1.0" } }, {
        key: `device-${i % 1000}`,
        source: "bench",
      }),
  );
}

async function projectAll(
  readModels: ReadModelStore,
  events: DomainEvent[],
  models?: readonly string[],
): Promise<void> {
  for (let i = 0; i < events.length; i += BATCH) {
    const batch = events.slice(i, i + BATCH);
    await readModels.project({
      processor: "bench",
      topic: "aiot.device",
      partition: 0,
      events: batch,
      offsets: batch.map((_, j) => i + j),
    }, models === undefined ? {} : { models });
  }
}

function postgresReadModels(url: string, count: number): Comparison {
  const schemaOf = () => `bench_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 4)}`;
  return {
    name: "read-model projection (PostgreSQL, device state, 1000/batch)",
    unit: "events/s",
    baseline: {
      label: "npm:postgres multi-row INSERT",
      run: async () => {
        const sql = postgres(url, { max: 1, onnotice: () => {} });
        const schema = schemaOf();
        await sql.unsafe(
          `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.state (device_id TEXT, seq INT, reported TEXT)`,
        );
        const rows = Array.from({ length: count }, (_, i) => ({
          device_id: `device-${i % 1000}`,
          seq: i,
          reported: JSON.stringify({ reading: i, fw: "1.0" }),
        }));
        const sample = await timed(async () => {
          for (let i = 0; i < rows.length; i += BATCH) {
            await sql`INSERT INTO ${sql(schema)}.state ${sql(rows.slice(i, i + BATCH))}`;
          }
        }, count);
        await sql.unsafe(`DROP SCHEMA ${schema} CASCADE`);
        await sql.end();
        return sample;
      },
    },
    aiot: {
      label: "SqlReadModelStore.project (read, merge, upsert, checkpoint)",
      run: async () => {
        const schema = schemaOf();
        const admin = postgres(url, { max: 1, onnotice: () => {} });
        await admin.unsafe(`CREATE SCHEMA ${schema}`);
        const readModels = createSqlReadModelStore(
          await createPostgresSqlDriver({ url, searchPath: schema }),
        );
        await readModels.migrate();
        const events = stateEvents(count);
        const sample = await timed(() => projectAll(readModels, events), count);
        await readModels.close();
        await admin.unsafe(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
        return sample;
      },
    },
  };
}

function sqliteReadModels(count: number): Comparison {
  return {
    name: "read-model projection (SQLite, device state, 1000/batch)",
    unit: "events/s",
    baseline: {
      label: "node:sqlite INSERT",
      run: async () => {
        const db = new DatabaseSync(`${await tempDir()}/raw.db`);
        db.exec(`PRAGMA journal_mode = WAL; CREATE TABLE state (device_id TEXT, seq INT, reported TEXT)`);
        const insert = db.prepare("INSERT INTO state VALUES (?, ?, ?)");
        const sample = await timed(() => {
          for (let i = 0; i < count; i += BATCH) {
            db.exec("BEGIN");
            for (let j = i; j < Math.min(count, i + BATCH); j++) {
              insert.run(`device-${j % 1000}`, j, JSON.stringify({ reading: j, fw: "1.0" }));
            }
            db.exec("COMMIT");
          }
          return Promise.resolve();
        }, count);
        db.close();
        return sample;
      },
    },
    aiot: {
      label: "SqlReadModelStore.project (read, merge, upsert, checkpoint)",
      run: async () => {
        const readModels = createSqlReadModelStore(
          createSqliteSqlDriver({ path: `${await tempDir()}/rm.db` }),
        );
        await readModels.migrate();
        const events = stateEvents(count);
        const sample = await timed(() => projectAll(readModels, events), count);
        await readModels.close();
        return sample;
      },
    },
  };
}

function telemetryEvents(count: number): DomainEvent[] {
  const t0 = Date.now() - 86_400_000;
  return Array.from({ length: count }, (_, i) =>
    createEvent("telemetry.reported", {
      values: [
        { name: "temperature", value: (i % 500) / 10, ts: t0 + i },
        { name: "door", value: i % 3 === 0, ts: t0 + i },
        { name: "mode", value: i % 2 ? "eco" : "comfort", ts: t0 + i },
      ],
    }, { key: `device-${i % 1000}`, source: "bench" }));
}

/**
 * What telemetry costs the read models: before `device_metrics` only the shadow's `lastSeen` moved
 * (baseline: `device_states` alone); now every metric of every event also updates its row.
 */
function sqliteTelemetryReadModels(count: number): Comparison {
  const run = (models: readonly string[] | undefined) => async () => {
    const readModels = createSqlReadModelStore(createSqliteSqlDriver({ path: `${await tempDir()}/rm.db` }));
    await readModels.migrate();
    const events = telemetryEvents(count);
    const sample = await timed(() => projectAll(readModels, events, models), count);
    await readModels.close();
    return sample;
  };
  return {
    name: "read-model projection of telemetry (SQLite, 3 metrics/event, 1000 devices, 1000/batch)",
    unit: "events/s",
    baseline: { label: "project() into device_states only (lastSeen)", run: run(["device_states"]) },
    aiot: { label: "project() into every read model (+ device_metrics)", run: run(undefined) },
  };
}

/** 7 days of 1 Hz of one metric, then 20 dashboard queries (7 days in 1 h buckets): p50 and p95. */
export async function dashboardQuery(
  store: TimeSeriesStore,
  label: string,
  progress: (line: string) => void,
) {
  await store.init();
  const end = Math.floor(Date.now() / HOUR) * HOUR;
  const start = end - 7 * 24 * HOUR;
  const total = (end - start) / 1000;
  for (let t = start, seq = 0; t < end; t += 5000 * 1000) {
    const chunk: MetricPoint[] = [];
    for (let i = 0; i < 5000 && t + i * 1000 < end; i++) {
      chunk.push({
        deviceId: "query-device",
        metric: "temperature",
        t: t + i * 1000,
        value: 20 + Math.sin(i / 600),
        seq: seq++,
      });
    }
    await store.write(chunk);
    if (seq % 100_000 < 5000) {
      progress(`  ${label}: loaded ${seq.toLocaleString("en-US")}/${total.toLocaleString("en-US")} points`);
    }
  }
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    const result = await store.downsample({
      deviceId: "query-device",
      metric: "temperature",
      from: start,
      to: end,
      bucketMs: HOUR,
      agg: "avg",
    });
    times.push(performance.now() - started);
    if (result.length !== 168) throw new Error(`${label}: expected 168 hourly buckets, got ${result.length}`);
  }
  times.sort((a, b) => a - b);
  await store.close();
  return { label, p50: times[9]!, p95: times[18]! };
}

export function storageComparisons(quick: boolean): Comparison[] {
  const count = quick ? 50_000 : 100_000;
  const comparisons = [sqliteTimeSeries(count), sqliteReadModels(count), sqliteTelemetryReadModels(count)];
  const mongo = Deno.env.get("AIOT_TEST_MONGO_URL");
  const pg = Deno.env.get("AIOT_TEST_POSTGRES_URL");
  // Batches after the first update existing rollup buckets: a few of them show the steady state.
  if (mongo) comparisons.push(mongoTimeSeries(mongo, quick ? 3000 : 10_000));
  if (pg) comparisons.push(postgresReadModels(pg, count));
  return comparisons;
}

/** The dashboard query on SQLite, and on FerretDB in full runs (loading 604,800 points there takes ~4 min). */
export async function storageQueries(progress: (line: string) => void, quick: boolean) {
  const results = [
    await dashboardQuery(
      createSqliteTimeSeriesStore(`${await tempDir()}/q.db`, { durability: "process" }),
      "SQLite",
      progress,
    ),
  ];
  const mongo = Deno.env.get("AIOT_TEST_MONGO_URL");
  if (mongo && !quick) {
    const database = `aiot_bench_q_${Date.now().toString(36)}`;
    results.push(
      await dashboardQuery(
        createMongoTimeSeriesStore({ url: mongo, database }),
        "MongoDB wire (FerretDB)",
        progress,
      ),
    );
  }
  return results;
}
