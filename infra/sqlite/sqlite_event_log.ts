/**
 * The embedded EventLog: the shared local log (partitioning, consumer groups, wake-on-append)
 * over SQLite storage, plus retention: age limits per topic, applied in the background in small
 * deletes (see `core/retention/sweep.ts`), soon after opening (so a lowered limit takes effect at
 * the next start) and then every `retentionIntervalMs`.
 */
import type { EventLog } from "../../core/log/event_log.ts";
import { createLocalEventLog } from "../../core/log/local_log.ts";
import { scheduleSweeps, sweepInChunks } from "../../core/retention/sweep.ts";
import { SqliteLogStorage, type SqliteLogStorageOptions } from "./sqlite_log_storage.ts";

export interface SqliteEventLogOptions extends SqliteLogStorageOptions {
  /** Database file, e.g. `./data/log.db`. Its folder must exist. */
  path: string;
  /** Records older than this are deleted, in topics without a limit of their own. Default: kept forever. */
  retentionMaxAgeMs?: number;
  /** Age limit per topic name, ms; wins over `retentionMaxAgeMs`. */
  retentionByTopic?: Readonly<Record<string, number>>;
  /** Oldest records of a partition beyond this many bytes are deleted. Default: unlimited. */
  retentionMaxBytesPerPartition?: number;
  /** How often retention runs. Default 5 minutes. */
  retentionIntervalMs?: number;
  /** Records of each partition's tail kept in memory for consumers that keep up (see tail_cache.ts). */
  tailRecords?: number;
  /** Delay of the first retention run after opening. Default 1 s. */
  retentionFirstDelayMs?: number;
  /** Records per retention delete. Default 5,000. */
  retentionChunk?: number;
  /** Told about a failed retention run (it is tried again at the next interval). */
  onRetentionError?: (error: unknown) => void;
  /** Told when writing consumers' committed offsets failed (tried again a second later). */
  onCommitError?: (error: unknown) => void;
  now?: () => number;
  /** How often idle consumers look for appends made by other threads or processes. Default 1000 ms. */
  idleRecheckMs?: number;
}

export function createSqliteEventLog(options: SqliteEventLogOptions): EventLog {
  const storage = new SqliteLogStorage(options.path, options);
  const now = options.now ?? Date.now;
  const log = createLocalEventLog(storage, {
    now,
    ...(options.onCommitError ? { onCommitError: options.onCommitError } : {}),
    ...(options.idleRecheckMs === undefined ? {} : { idleRecheckMs: options.idleRecheckMs }),
    ...(options.tailRecords === undefined ? {} : { tailRecords: options.tailRecords }),
  });
  const { retentionMaxAgeMs: maxAge, retentionMaxBytesPerPartition: maxBytes } = options;
  const byTopic = options.retentionByTopic ?? {};
  const ageOf = (topic: string) => byTopic[topic] ?? maxAge;
  const limited = maxAge !== undefined || maxBytes !== undefined || Object.keys(byTopic).length > 0;
  const sweeps = limited
    ? scheduleSweeps(async (signal) => {
      const ages: Record<string, number> = {};
      for (const topic of storage.topicNames()) {
        const age = ageOf(topic);
        if (age !== undefined) ages[topic] = age;
      }
      await sweepInChunks(
        ages,
        (topic, before, limit) => Promise.resolve(storage.deleteOlderThan(topic, before, limit)),
        { now, signal, ...(options.retentionChunk ? { chunk: options.retentionChunk } : {}) },
      );
      if (maxBytes !== undefined && !signal.aborted) {
        storage.applyRetention({ maxBytesPerPartition: maxBytes });
      }
    }, {
      intervalMs: options.retentionIntervalMs ?? 300_000,
      firstDelayMs: options.retentionFirstDelayMs ?? 1_000,
      onError: options.onRetentionError ?? ((error) => console.error(`log retention failed: ${error}`)),
    })
    : undefined;
  return {
    ...log,
    async close() {
      await sweeps?.stop();
      await log.close();
    },
  };
}
