/**
 * The embedded EventLog: the shared local log (partitioning, consumer groups, wake-on-append)
 * over SQLite storage, plus a retention timer.
 */
import type { EventLog } from "../../core/log/event_log.ts";
import { createLocalEventLog } from "../../core/log/local_log.ts";
import { SqliteLogStorage, type SqliteLogStorageOptions } from "./sqlite_log_storage.ts";

export interface SqliteEventLogOptions extends SqliteLogStorageOptions {
  /** Database file, e.g. `./data/log.db`. Its folder must exist. */
  path: string;
  /** Records older than this are deleted. Default: kept forever. */
  retentionMaxAgeMs?: number;
  /** Oldest records of a partition beyond this many bytes are deleted. Default: unlimited. */
  retentionMaxBytesPerPartition?: number;
  /** How often retention runs. Default 5 minutes. */
  retentionIntervalMs?: number;
  now?: () => number;
  /** How often idle consumers look for appends made by other threads or processes. Default 1000 ms. */
  idleRecheckMs?: number;
}

export function createSqliteEventLog(options: SqliteEventLogOptions): EventLog {
  const storage = new SqliteLogStorage(options.path, options);
  const now = options.now ?? Date.now;
  const log = createLocalEventLog(storage, {
    now,
    ...(options.idleRecheckMs === undefined ? {} : { idleRecheckMs: options.idleRecheckMs }),
  });
  const { retentionMaxAgeMs: maxAge, retentionMaxBytesPerPartition: maxBytes } = options;
  const timer = maxAge === undefined && maxBytes === undefined ? undefined : setInterval(() => {
    storage.applyRetention({
      ...(maxAge === undefined ? {} : { olderThan: now() - maxAge }),
      ...(maxBytes === undefined ? {} : { maxBytesPerPartition: maxBytes }),
    });
  }, options.retentionIntervalMs ?? 300_000);
  return {
    ...log,
    async close() {
      clearInterval(timer);
      await log.close();
    },
  };
}
