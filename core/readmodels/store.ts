/**
 * The `ReadModelStore` port (design §4): where the registered read models live, fed by the
 * `readmodels` processor. Rows and per-model checkpoints change in one transaction, which makes
 * projection exactly-once even though the log delivers at least once. The port is generic and
 * does not grow with features: each read model brings its own typed queries (`get`/`list` over a
 * `RowQuery`), and the in-memory fake and the SQL store run the same definitions.
 */
import type { EventEnvelope } from "../events/envelope.ts";
import type { AnyReadModel, ReadModel, RowKey } from "./define.ts";

/** One batch of one partition, as the runner hands it to a processor. */
export interface ProjectBatch {
  /** The processor name: checkpoints are kept per read model, processor, topic and partition. */
  processor: string;
  topic: string;
  partition: number;
  events: readonly EventEnvelope[];
  /** The log offset of each event, aligned with `events`, increasing. */
  offsets: readonly number[];
}

export interface ProjectOptions {
  /** Project only these read models (by name); default: every registered one. */
  models?: readonly string[];
}

export interface ProjectResult {
  /** Events at or after the lowest checkpoint, including types no read model projects. */
  applied: number;
  /** Events below every checkpoint: a redelivery of what was already applied. */
  skipped: number;
}

/** One page of a keyset-paginated listing; `next` is an opaque cursor, absent on the last page. */
export interface Page<Row> {
  items: Row[];
  next?: string;
}

/** A comparison on one row field; values are row values (the store encodes them). */
export type RowFilter<Row> = {
  [F in keyof Row & string]: {
    field: F;
    op: "=" | "<" | ">";
    value: NonNullable<Row[F]>;
  } | { field: F; op: "in"; value: readonly NonNullable<Row[F]>[] };
}[keyof Row & string];

/** What `list` returns: filters (all must hold), an order and a limit. */
export interface RowQuery<Row> {
  where?: readonly RowFilter<Row>[];
  /** Only rows with this entry in the named entry table (e.g. a label `[key, value]`). */
  entry?: { table: string; values: readonly string[] };
  orderBy: readonly { field: keyof Row & string; desc?: boolean }[];
  limit: number;
}

/** Schema state of one read model after `migrate()`. */
export interface ReadModelStatus {
  name: string;
  version: number;
  /** `stale`: its projection changed (or it is new beside projected data): rebuild it from the log. */
  status: "ready" | "stale";
}

export interface ReadModelStore {
  /** The registered read models, in registration order. */
  readonly models: readonly AnyReadModel[];
  /**
   * Creates or upgrades every model's tables (versioned migrations, idempotent, safe when several
   * processes start at once) and reports each model's status.
   */
  migrate(): Promise<ReadModelStatus[]>;
  /**
   * Applies the events at or after each model's stored checkpoint and stores the checkpoints past
   * the last offset, atomically: after a failure neither rows nor checkpoints have moved.
   */
  project(batch: ProjectBatch, options?: ProjectOptions): Promise<ProjectResult>;
  /**
   * The next offset every model has applied (the lowest of their checkpoints), or `undefined`
   * when the partition was never projected.
   */
  checkpoint(processor: string, topic: string, partition: number): Promise<number | undefined>;
  get<Row, K extends RowKey>(model: ReadModel<Row, K>, key: K): Promise<Row | undefined>;
  list<Row, K extends RowKey>(model: ReadModel<Row, K>, query: RowQuery<Row>): Promise<Row[]>;
  /**
   * Deletes the rows and checkpoints of the named models (default: all): the first step of a
   * rebuild. Others are untouched.
   */
  clear(models?: readonly string[]): Promise<void>;
  /**
   * Deletes the rows `list(model, query)` would give (so `limit` bounds one delete) and resolves
   * with how many: retention of rows no event removes, such as old dead letters. Models with
   * entry tables are refused (`RangeError`).
   */
  deleteRows<Row, K extends RowKey>(model: ReadModel<Row, K>, query: RowQuery<Row>): Promise<number>;
  /** Records that the named model was rebuilt at its current version. */
  markReady(model: string): Promise<void>;
  close(): Promise<void>;
}
