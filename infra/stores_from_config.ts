/**
 * Picks the projection stores from configuration: MongoDB for time series and PostgreSQL for read
 * models when their URLs are set, else SQLite files under the data directory. Drivers of the
 * production engines are loaded only when used, so the embedded default starts light.
 */
import type { UserStore } from "../core/users/user_store.ts";
import type { DeviceIdClaims } from "../core/devices/device_id_claims.ts";
import type { TimeSeriesStore } from "../core/timeseries/time_series_store.ts";
import type { AiotConfig } from "./config/config.ts";
import { createSqlReadModelStore } from "./readmodels/sql_read_model_store.ts";
import { createSqlUserStore } from "./readmodels/sql_user_store.ts";
import { createSqlDeviceIdClaims } from "./readmodels/sql_device_id_claims.ts";
import { createSqliteSqlDriver } from "./sqlite/sqlite_sql_driver.ts";
import { createSqliteTimeSeriesStore } from "./sqlite/sqlite_time_series_store.ts";
import type { ReadModelStore } from "../core/readmodels/mod.ts";
import type { ProcessorStateStore } from "../core/processing/state_store.ts";
import { createSqlProcessorStateStore } from "./readmodels/sql_processor_state_store.ts";

/**
 * Which engine each projection store runs on, as `openTimeSeriesStore` and `openReadModels` choose
 * it: the production one when its URL is set, else SQLite. For labels and decisions elsewhere.
 */
export function storeEngines(config: Pick<AiotConfig, "mongoUrl" | "postgresUrl">): {
  timeseries: "mongodb" | "sqlite";
  readModels: "postgresql" | "sqlite";
} {
  return {
    timeseries: config.mongoUrl ? "mongodb" : "sqlite",
    readModels: config.postgresUrl ? "postgresql" : "sqlite",
  };
}

export async function openTimeSeriesStore(config: AiotConfig): Promise<TimeSeriesStore> {
  let store: TimeSeriesStore;
  if (config.mongoUrl) {
    const { createMongoTimeSeriesStore } = await import("./mongo/mod.ts");
    const database = new URL(config.mongoUrl).pathname.replace(/^\//, "") || "aiot";
    const raw = config.retention?.timeseries.raw;
    store = await createMongoTimeSeriesStore({
      url: config.mongoUrl,
      database,
      // The server's TTL expires raw points where it can; the sweep does it elsewhere.
      ...(raw !== undefined && Number.isFinite(raw) ? { rawRetentionMs: raw } : {}),
    });
  } else {
    await Deno.mkdir(config.dataDir, { recursive: true });
    store = createSqliteTimeSeriesStore(`${config.dataDir}/timeseries.db`);
  }
  await store.init();
  return store;
}

export async function openReadModels(config: AiotConfig): Promise<ReadModelStore> {
  let readModels: ReadModelStore;
  if (config.postgresUrl) {
    const { createPostgresSqlDriver } = await import("./postgres/mod.ts");
    readModels = createSqlReadModelStore(await createPostgresSqlDriver({ url: config.postgresUrl }));
  } else {
    await Deno.mkdir(config.dataDir, { recursive: true });
    readModels = createSqlReadModelStore(createSqliteSqlDriver({ path: `${config.dataDir}/readmodels.db` }));
  }
  await readModels.migrate();
  return readModels;
}

/** Users, API tokens and the audit trail: beside the read models (not rebuilt from the log). */
export async function openUserStore(config: AiotConfig): Promise<UserStore> {
  let users: UserStore;
  if (config.postgresUrl) {
    const { createPostgresSqlDriver } = await import("./postgres/mod.ts");
    users = createSqlUserStore(await createPostgresSqlDriver({ url: config.postgresUrl }));
  } else {
    await Deno.mkdir(config.dataDir, { recursive: true });
    users = createSqlUserStore(createSqliteSqlDriver({ path: `${config.dataDir}/users.db` }));
  }
  await users.migrate();
  return users;
}

/**
 * Leases on device ids being registered, in the user database: shared by every API replica on
 * PostgreSQL, and by processes sharing the data directory on SQLite.
 */
export async function openDeviceIdClaims(config: AiotConfig): Promise<DeviceIdClaims> {
  let claims;
  if (config.postgresUrl) {
    const { createPostgresSqlDriver } = await import("./postgres/mod.ts");
    claims = createSqlDeviceIdClaims(await createPostgresSqlDriver({ url: config.postgresUrl, max: 2 }));
  } else {
    await Deno.mkdir(config.dataDir, { recursive: true });
    claims = createSqlDeviceIdClaims(createSqliteSqlDriver({ path: `${config.dataDir}/users.db` }));
  }
  await claims.migrate();
  return claims;
}

/**
 * State of the stateful processors (rules): beside the read models on PostgreSQL, else its own
 * SQLite file, so the projection thread's writes to `readmodels.db` never wait for it.
 */
export async function openProcessorStateStore(config: AiotConfig): Promise<ProcessorStateStore> {
  let store: ProcessorStateStore;
  if (config.postgresUrl) {
    const { createPostgresSqlDriver } = await import("./postgres/mod.ts");
    store = createSqlProcessorStateStore(await createPostgresSqlDriver({ url: config.postgresUrl, max: 2 }));
  } else {
    await Deno.mkdir(config.dataDir, { recursive: true });
    store = createSqlProcessorStateStore(createSqliteSqlDriver({ path: `${config.dataDir}/processors.db` }));
  }
  await store.migrate();
  return store;
}
