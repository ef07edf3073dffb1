/**
 * What the `e2e` bench reads of the stores, directly (not through the platform's API, which would
 * load the platform under test): the newest stored `seq` point per device (its time and value: a
 * device's messages are stored in order, so it tells how many are in and whether the last one is),
 * the number of raw points in a time range (the exact count, to prove nothing before is missing),
 * and how many telemetry events the read-model projector has applied (the sum of its checkpoints:
 * offsets start at 0 on a fresh topic).
 *
 * Embedded: the platform's SQLite files, opened read-only beside it (WAL lets readers in while it
 * writes). Real engines: the run's own PostgreSQL and MongoDB databases. Each run uses fresh
 * files or databases, so everything in them is the bench's.
 */
import { DatabaseSync } from "node:sqlite";
import { MongoClient } from "mongodb";
import postgres from "postgres";
import { SEQ_METRIC } from "./e2e_load.ts";

export interface StoreProbe {
  /** Per device, its newest stored `seq` point: time and value (= messages of the device stored, in order). */
  latestSeq(): Promise<Map<string, { t: number; seq: number }>>;
  /** Raw points with `from ≤ t ≤ to` (epoch ms). */
  points(from: number, to: number): Promise<number>;
  /** Telemetry events the read-model projector applied (sum of its checkpoints on the topic). */
  readModelEvents(): Promise<number>;
  close(): Promise<void>;
}

// Every read model keeps its own checkpoints and all of them move with each batch: one model's
// (the shadow's, which telemetry updates) counts the events the projector applied.
const CHECKPOINTS = "SELECT coalesce(sum(next_offset), 0) AS n FROM projection_checkpoints " +
  "WHERE model = 'device_states' AND processor = 'readmodels' AND next_offset >= 0 AND topic = ";

type TimeSeriesProbe = Pick<StoreProbe, "latestSeq" | "points"> & { close(): Promise<void> };
type ReadModelsProbe = Pick<StoreProbe, "readModelEvents"> & { close(): Promise<void> };

function openReadOnly(path: string): DatabaseSync {
  const db = new DatabaseSync(path, { readOnly: true });
  db.exec("PRAGMA busy_timeout = 5000");
  return db;
}

function sqliteTimeSeries(dataDir: string): TimeSeriesProbe {
  const ts = openReadOnly(`${dataDir}/timeseries.db`);
  const latest = ts.prepare(
    "SELECT s.device_id AS d, l.t AS t, l.v AS v FROM ts_series s JOIN ts_latest l ON l.series = s.id WHERE s.metric = ?",
  );
  // Series first, then a range of each series' primary key (series, t): no scan of every point.
  const count = ts.prepare(
    "SELECT count(*) AS n FROM ts_series s JOIN ts_points p ON p.series = s.id AND p.t BETWEEN ? AND ?",
  );
  return {
    latestSeq: () =>
      Promise.resolve(
        new Map(
          (latest.all(SEQ_METRIC) as { d: string; t: number; v: number }[]).map((
            { d, t, v },
          ) => [d, { t, seq: Number(v) }]),
        ),
      ),
    points: (from, to) => Promise.resolve(Number((count.get(from, to) as { n: number }).n)),
    close: () => Promise.resolve(ts.close()),
  };
}

function sqliteReadModels(dataDir: string, telemetryTopic: string): ReadModelsProbe {
  const rm = openReadOnly(`${dataDir}/readmodels.db`);
  const applied = rm.prepare(`${CHECKPOINTS}?`);
  return {
    readModelEvents: () => Promise.resolve(Number((applied.get(telemetryTopic) as { n: number }).n)),
    close: () => Promise.resolve(rm.close()),
  };
}

function mongoTimeSeries(mongoUrl: string): TimeSeriesProbe {
  const mongo = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 10_000 });
  const db = mongo.db(new URL(mongoUrl).pathname.slice(1));
  return {
    // One latest document per device (two while a rewrite is under way: the higher `ver` counts),
    // see infra/mongo/_mongo_versioned.ts.
    async latestSeq() {
      type Latest = { d: string; ver: number; m: { k: string; t: number; v: unknown }[] };
      const docs = await db.collection<Latest>("ts_latest_v2")
        .find({}, { projection: { _id: 0, d: 1, ver: 1, m: 1 } })
        .toArray();
      const current = new Map<string, Latest>();
      for (const doc of docs) if ((current.get(doc.d)?.ver ?? -1) < doc.ver) current.set(doc.d, doc);
      const seqs = new Map<string, { t: number; seq: number }>();
      for (const [d, doc] of current) {
        const value = doc.m.find((v) => v.k === SEQ_METRIC);
        if (value) seqs.set(d, { t: value.t, seq: Number(value.v) });
      }
      return seqs;
    },
    points: (from, to) =>
      db.collection("ts_points").countDocuments({ t: { $gte: new Date(from), $lte: new Date(to) } }),
    close: () => mongo.close(),
  };
}

function postgresReadModels(postgresUrl: string, telemetryTopic: string): ReadModelsProbe {
  const sql = postgres(postgresUrl, { max: 1, onnotice: () => {} });
  return {
    async readModelEvents() {
      const [row] = await sql.unsafe(`${CHECKPOINTS}$1`, [telemetryTopic]);
      return Number(row?.n ?? 0);
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

function combined(timeseries: TimeSeriesProbe, readModels: ReadModelsProbe): StoreProbe {
  return {
    latestSeq: () => timeseries.latestSeq(),
    points: (from, to) => timeseries.points(from, to),
    readModelEvents: () => readModels.readModelEvents(),
    async close() {
      await Promise.all([timeseries.close(), readModels.close()]);
    },
  };
}

/** The all-in-one's SQLite files under `dataDir`. */
export function embeddedStores(dataDir: string, telemetryTopic: string): StoreProbe {
  return combined(sqliteTimeSeries(dataDir), sqliteReadModels(dataDir, telemetryTopic));
}

/**
 * PostgreSQL read models at `postgresUrl`; time series in MongoDB (the database of `mongoUrl`'s
 * path) or, without `mongoUrl`, in the SQLite file under `dataDir`.
 */
export function realStores(
  postgresUrl: string,
  timeseries: { mongoUrl: string } | { dataDir: string },
  telemetryTopic: string,
): StoreProbe {
  return combined(
    "mongoUrl" in timeseries ? mongoTimeSeries(timeseries.mongoUrl) : sqliteTimeSeries(timeseries.dataDir),
    postgresReadModels(postgresUrl, telemetryTopic),
  );
}
