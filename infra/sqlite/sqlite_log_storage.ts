/**
 * LocalLogStorage on SQLite (`node:sqlite`, WAL): one table per topic partition whose rowid is the
 * offset, so an append is a plain rowid insert with no secondary index to maintain. Committed
 * offsets live in the same database. Appends are one `BEGIN IMMEDIATE` transaction, so other
 * processes sharing the file see consistent offsets.
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { LogRecord } from "../../core/log/event_log.ts";
import type { LocalLogStorage, OffsetCommit, StoredMessage } from "../../core/log/local_log_storage.ts";
import { sqliteError } from "./sqlite_errors.ts";

export interface SqliteLogStorageOptions {
  /**
   * `"fsync"` (default): an acknowledged append survives power loss (`synchronous=FULL`).
   * `"process"`: survives a crash of the process only (`synchronous=NORMAL`), faster.
   */
  durability?: "fsync" | "process";
}

/** Rows per multi-row INSERT (5 parameters each, far under SQLite's 32766 limit). */
const MULTI_ROW = 64;

function headersText(headers: Record<string, string>): string | null {
  for (const _ in headers) return JSON.stringify(headers);
  return null;
}

interface PartitionStatements {
  insertMany: StatementSync;
  read: StatementSync;
  atOrAfter: StatementSync;
  first: StatementSync;
  deleteBefore: StatementSync;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS topics (name TEXT PRIMARY KEY, id INTEGER NOT NULL UNIQUE, partitions INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS partitions (
    topic_id INTEGER NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
    PRIMARY KEY (topic_id, partition));
`;

const COMMITS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS commits (
    grp TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
    PRIMARY KEY (grp, topic, partition));
`;

/** `data/log.db` → `data/log.offsets.db`: the consumer groups' committed offsets. */
export function offsetsPathOf(path: string): string {
  return path.endsWith(".db") ? `${path.slice(0, -3)}.offsets.db` : `${path}.offsets`;
}

export class SqliteLogStorage implements LocalLogStorage {
  readonly #db: DatabaseSync;
  readonly #topics = new Map<string, { id: number; partitions: number }>();
  readonly #statements = new Map<string, PartitionStatements>();
  readonly #inserts = new Map<string, StatementSync>();
  readonly #nextOffset: StatementSync;
  readonly #setNextOffset: StatementSync;
  readonly #offsetsDb: DatabaseSync;
  readonly #committed: StatementSync;
  readonly #commit: StatementSync;

  constructor(path: string, options: SqliteLogStorageOptions = {}) {
    this.#db = new DatabaseSync(path);
    // busy_timeout first: switching to WAL takes a lock, and without a timeout a busy database
    // (another thread or process opening it) fails at once.
    this.#db.exec(`PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;
      PRAGMA synchronous = ${options.durability === "process" ? "NORMAL" : "FULL"};`);
    this.#db.exec(SCHEMA);
    this.#nextOffset = this.#db.prepare(
      "SELECT next_offset FROM partitions WHERE topic_id = ? AND partition = ?",
    );
    this.#setNextOffset = this.#db.prepare(
      "UPDATE partitions SET next_offset = ? WHERE topic_id = ? AND partition = ?",
    );
    // Commits live in a file of their own, without fsync: a commit lost to a power cut only means
    // a batch is delivered again (at-least-once), while appends keep full durability. In the log's
    // file they would wait for its write lock behind every append of another thread or process,
    // and SQLite's busy wait backs off up to 100 ms a try: projectors stalled for seconds.
    this.#offsetsDb = new DatabaseSync(offsetsPathOf(path));
    this.#offsetsDb.exec(`PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
      ${COMMITS_SCHEMA}`);
    this.#moveOldCommits();
    this.#committed = this.#offsetsDb.prepare(
      "SELECT next_offset FROM commits WHERE grp = ? AND topic = ? AND partition = ?",
    );
    this.#commit = this.#offsetsDb.prepare(
      `INSERT INTO commits (grp, topic, partition, next_offset) VALUES (?, ?, ?, ?)
       ON CONFLICT (grp, topic, partition) DO UPDATE SET next_offset = excluded.next_offset`,
    );
  }

  /** Logs written before commits had their own file kept them in the log's file: moved once. */
  #moveOldCommits(): void {
    const old = this.#db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'commits'")
      .get();
    if (!old) return;
    this.#offsetsDb.exec("BEGIN IMMEDIATE");
    try {
      const insert = this.#offsetsDb.prepare(
        "INSERT OR IGNORE INTO commits (grp, topic, partition, next_offset) VALUES (?, ?, ?, ?)",
      );
      for (const row of this.#db.prepare("SELECT grp, topic, partition, next_offset FROM commits").all()) {
        insert.run(
          row.grp as string,
          row.topic as string,
          row.partition as number,
          row.next_offset as number,
        );
      }
      this.#offsetsDb.exec("COMMIT");
    } catch (error) {
      this.#offsetsDb.exec("ROLLBACK");
      throw error;
    }
    this.#db.exec("DROP TABLE commits");
  }

  partitionCount(topic: string): number | undefined {
    return this.#topic(topic)?.partitions;
  }

  createTopic(topic: string, partitions: number): void {
    this.#transaction(() => {
      if (this.#topic(topic)) return;
      const row = this.#db.prepare("SELECT COALESCE(MAX(id), 0) + 1 AS id FROM topics").get() as {
        id: number;
      };
      this.#db.prepare("INSERT INTO topics (name, id, partitions) VALUES (?, ?, ?)").run(
        topic,
        row.id,
        partitions,
      );
      for (let p = 0; p < partitions; p++) {
        this.#db.exec(`CREATE TABLE IF NOT EXISTS ${table(row.id, p)} (
          offset INTEGER PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL, headers TEXT, ts INTEGER NOT NULL)`);
        this.#db.prepare("INSERT INTO partitions (topic_id, partition, next_offset) VALUES (?, ?, 0)").run(
          row.id,
          p,
        );
      }
    });
  }

  append(topic: string, messages: StoredMessage[]): number[] {
    const { id } = this.#require(topic);
    const byPartition = new Map<number, number[]>();
    messages.forEach((m, i) => {
      const indexes = byPartition.get(m.partition);
      if (indexes) indexes.push(i);
      else byPartition.set(m.partition, [i]);
    });
    const offsets = new Array<number>(messages.length);
    this.#transaction(() => {
      for (const [partition, indexes] of byPartition) {
        const first = (this.#nextOffset.get(id, partition) as { next_offset: number }).next_offset;
        const statements = this.#partition(id, partition);
        // Multi-row inserts: one native call per MULTI_ROW rows instead of one per row.
        for (let start = 0; start < indexes.length; start += MULTI_ROW) {
          const chunk = indexes.slice(start, start + MULTI_ROW);
          const params: (string | number | null)[] = [];
          chunk.forEach((index, j) => {
            const m = messages[index]!;
            offsets[index] = first + start + j;
            params.push(first + start + j, m.key, m.value, headersText(m.headers), m.timestamp);
          });
          const insert = chunk.length === MULTI_ROW
            ? statements.insertMany
            : this.#insertStatement(id, partition, chunk.length);
          insert.run(...params);
        }
        this.#setNextOffset.run(first + indexes.length, id, partition);
      }
    });
    return offsets;
  }

  read(topic: string, partition: number, from: number, limit: number): LogRecord[] {
    const statement = this.#partition(this.#require(topic).id, partition).read;
    // Arrays from SQLite turned into fixed-shape literals: much faster than decorating row objects.
    const rows = statement.all(from, limit) as unknown as [number, string, string, string | null, number][];
    return rows.map(([offset, key, value, headers, timestamp]) => ({
      topic,
      partition,
      offset,
      key,
      value,
      headers: headers === null ? NO_HEADERS : JSON.parse(headers),
      timestamp,
    }));
  }

  offsets(topic: string, partition: number): { start: number; end: number } {
    const { id } = this.#require(topic);
    const end = (this.#nextOffset.get(id, partition) as { next_offset: number }).next_offset;
    const first = this.#partition(id, partition).first.get() as { offset: number } | undefined;
    return { start: first?.offset ?? end, end };
  }

  /**
   * A binary search over the offsets (the rowid B-tree): O(log n) lookups, where a scan for the
   * first `ts >= t` read every older row (a replay of the last hour of a year-long log scanned the
   * year). No index on `ts` is needed, so appends stay plain rowid inserts. It relies on what the
   * embedded log writes: append timestamps that do not decrease within a partition (the appending
   * process's clock). Records given older explicit timestamps after newer ones (tests, imports)
   * may be found a little late or early (Kafka keeps a time index of the largest timestamp so far
   * for that; an index here would cost every append a second B-tree insert).
   */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): number {
    const { atOrAfter } = this.#partition(this.#require(topic).id, partition);
    const { start, end } = this.offsets(topic, partition);
    // Invariant: the records before `low` are older than `timestamp`, those from `high` on are not.
    let low = start;
    let high = end;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      // Offsets may have gaps (retention): the first record at or after `middle` stands for it.
      const row = atOrAfter.get(middle) as [number, number] | undefined;
      if (!row || row[0] >= high) high = middle;
      else if (row[1] >= timestamp) high = row[0];
      else low = row[0] + 1;
    }
    return low;
  }

  committed(group: string, topic: string, partition: number): number | undefined {
    return (this.#committed.get(group, topic, partition) as { next_offset: number } | undefined)?.next_offset;
  }

  commit(commits: readonly OffsetCommit[]): void {
    this.#transaction(() => {
      for (const { group, topic, partition, offset } of commits) {
        this.#commit.run(group, topic, partition, offset);
      }
    }, { db: this.#offsetsDb, what: "offset commit" });
  }

  /** Deletes records older than `olderThan` (epoch ms) and, per partition, the oldest beyond `maxBytes`. */
  applyRetention(options: { olderThan?: number; maxBytesPerPartition?: number }): number {
    let deleted = 0;
    for (const { id, partitions } of this.#allTopics()) {
      for (let p = 0; p < partitions; p++) {
        const name = table(id, p);
        if (options.olderThan !== undefined) {
          deleted += Number(
            this.#db.prepare(`DELETE FROM ${name} WHERE ts < ?`).run(options.olderThan).changes,
          );
        }
        if (options.maxBytesPerPartition !== undefined) {
          deleted += Number(
            this.#db.prepare(`DELETE FROM ${name} WHERE offset <= (SELECT offset FROM (SELECT offset,
              SUM(length(value) + length(key)) OVER (ORDER BY offset DESC) AS total FROM ${name})
              WHERE total > ? ORDER BY offset DESC LIMIT 1)`).run(options.maxBytesPerPartition).changes,
          );
        }
      }
    }
    return deleted;
  }

  /**
   * Deletes at most `limit` of the oldest records of `topic` appended before `before` (epoch ms),
   * partition by partition, and returns how many. The cut is found by the binary search of
   * `offsetForTimestamp`, so each delete is a rowid range: no scan of the table, and a chunk holds
   * the write lock only briefly (see `core/retention/sweep.ts`).
   */
  deleteOlderThan(topic: string, before: number, limit: number): number {
    const found = this.#topic(topic);
    if (!found) return 0;
    let deleted = 0;
    try {
      for (let p = 0; p < found.partitions && deleted < limit; p++) {
        const { start } = this.offsets(topic, p);
        const cut = Math.min(this.offsetForTimestamp(topic, p, before), start + limit - deleted);
        if (cut <= start) continue;
        deleted += Number(this.#partition(found.id, p).deleteBefore.run(cut).changes);
      }
    } catch (error) {
      throw sqliteError(error, "log retention");
    }
    return deleted;
  }

  /** Names of the topics this log holds. */
  topicNames(): string[] {
    return (this.#db.prepare("SELECT name FROM topics ORDER BY name").all() as { name: string }[])
      .map((row) => row.name);
  }

  close(): void {
    if (this.#offsetsDb.isOpen) this.#offsetsDb.close();
    if (this.#db.isOpen) this.#db.close();
  }

  #allTopics(): { id: number; partitions: number }[] {
    return this.#db.prepare("SELECT id, partitions FROM topics").all() as unknown as {
      id: number;
      partitions: number;
    }[];
  }

  #topic(topic: string): { id: number; partitions: number } | undefined {
    const cached = this.#topics.get(topic);
    if (cached) return cached;
    const row = this.#db.prepare("SELECT id, partitions FROM topics WHERE name = ?").get(topic) as
      | { id: number; partitions: number }
      | undefined;
    if (row) this.#topics.set(topic, { id: row.id, partitions: row.partitions });
    return row;
  }

  #require(topic: string): { id: number; partitions: number } {
    const found = this.#topic(topic);
    if (!found) throw new RangeError(`Unknown topic "${topic}": create it with ensureTopics() first`);
    return found;
  }

  #partition(topicId: number, partition: number): PartitionStatements {
    const name = table(topicId, partition);
    let statements = this.#statements.get(name);
    if (!statements) {
      statements = {
        insertMany: this.#insertStatement(topicId, partition, MULTI_ROW),
        read: returningArrays(this.#db.prepare(
          `SELECT offset, key, value, headers, ts FROM ${name} WHERE offset >= ? ORDER BY offset LIMIT ?`,
        )),
        atOrAfter: returningArrays(
          this.#db.prepare(`SELECT offset, ts FROM ${name} WHERE offset >= ? ORDER BY offset LIMIT 1`),
        ),
        first: this.#db.prepare(`SELECT offset FROM ${name} ORDER BY offset LIMIT 1`),
        deleteBefore: this.#db.prepare(`DELETE FROM ${name} WHERE offset < ?`),
      };
      this.#statements.set(name, statements);
    }
    return statements;
  }

  #insertStatement(topicId: number, partition: number, rows: number): StatementSync {
    const key = `${topicId}_${partition}_${rows}`;
    let statement = this.#inserts.get(key);
    if (!statement) {
      const values = Array.from({ length: rows }, () => "(?, ?, ?, ?, ?)").join(", ");
      statement = this.#db.prepare(
        `INSERT INTO ${table(topicId, partition)} (offset, key, value, headers, ts) VALUES ${values}`,
      );
      this.#inserts.set(key, statement);
    }
    return statement;
  }

  /**
   * Runs `work` in a write transaction of `db` (default: the log's); a full disk or a lock fails
   * as a retriable error.
   */
  #transaction<T>(work: () => T, { db = this.#db, what = "log write" } = {}): T {
    try {
      db.exec("BEGIN IMMEDIATE");
      try {
        const result = work();
        db.exec("COMMIT");
        return result;
      } catch (error) {
        // SQLite has already rolled back after SQLITE_FULL or SQLITE_IOERR; ROLLBACK would throw.
        if (db.isTransaction) db.exec("ROLLBACK");
        throw error;
      }
    } catch (error) {
      throw sqliteError(error, what);
    }
  }
}

function returningArrays(statement: StatementSync): StatementSync {
  // In node:sqlite (and Deno) since Node 24; Deno's bundled types do not list it yet.
  (statement as StatementSync & { setReturnArrays(enabled: boolean): void }).setReturnArrays(true);
  return statement;
}

/** Shared by every record without headers; frozen so no consumer can change it for the others. */
const NO_HEADERS: Record<string, string> = Object.freeze({});

/** Table names are built from integers only, never from user input. */
const table = (topicId: number, partition: number) => `log_${topicId}_${partition}`;
