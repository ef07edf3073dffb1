/**
 * Rollup buckets and latest values are documents rewritten whole at each change (read, merged in
 * memory, written back), in one of two ways:
 *
 * - `"update"` (MongoDB): the document is updated in place, in unordered bulkWrites; guarded, the
 *   update carries the version it was computed from in its filter.
 * - `"replace"` (FerretDB v1): its SQLite backend pushes no filter but `_id` equality down, and
 *   not even that for updates and deletes: each updated document costs a scan of the collection
 *   (measured 2026-11-30: ~50 ms per update at 4,000 documents), while an `insertMany` or an
 *   `_id $in` delete costs one statement (one scan) for the whole batch. So each logical document has two slots, `<key>#0` and `<key>#1`: a new version is
 *   inserted into the slot the current one does not use, then the current one is deleted. At every
 *   moment each key has a complete version (a crash between the steps leaves two; readers take the
 *   higher `ver`), so nothing a crash interrupts is lost or half-written.
 *
 * Anything that lost a race (a duplicate insert, a guarded update or delete that matched nothing)
 * is read and merged again; `merge` decides from the stored version what is still to apply, which
 * is what makes a redelivered batch count once (see `_mongo_write.ts`).
 */
import {
  type AnyBulkWriteOperation,
  type Collection,
  type Document,
  MongoBulkWriteError,
  MongoServerError,
} from "mongodb";
import { InfrastructureError } from "../../core/errors.ts";

/** A document kept in versions: `_id` is `<key>#<slot>`, the highest `ver` of a key is current. */
export interface Versioned {
  _id: string;
  key: string;
  ver: number;
}

export type RewriteMode = "update" | "replace";

const MAX_ATTEMPTS = 5;

/**
 * Update statements per command in `"update"` mode. FerretDB v1.24 (SQLite backend) hangs on an
 * update command of about 100 or more statements that touch existing documents; real MongoDB
 * would take 100,000 (kept small anyway: FerretDB may be run in update mode by a test).
 */
const OPS_PER_COMMAND = 50;

export const slotId = (key: string, slot: 0 | 1): string => `${key}#${slot}`;

/** Both slot ids of every key: what a reader asks for by `_id`. */
export const slotIds = (keys: Iterable<string>): string[] =>
  [...keys].flatMap((key) => [slotId(key, 0), slotId(key, 1)]);

/** The current version of each key among `docs`; an older one is only left after a crash. */
export function currentByKey<D extends Versioned>(docs: Iterable<D>): Map<string, D> {
  const current = new Map<string, D>();
  for (const doc of docs) {
    const other = current.get(doc.key);
    if (!other || doc.ver > other.ver) current.set(doc.key, doc);
  }
  return current;
}

/** What `merge` returns: the document's own fields, without `_id`, `key` and `ver`. */
export type Fields<D extends Versioned> = Omit<D, "_id" | "key" | "ver">;

export interface RewriteOptions {
  mode: RewriteMode;
  /** Writes apply only to the version they were computed from (concurrent writers of one key). */
  guarded: boolean;
}

/**
 * Reads the current versions of `keys`, lets `merge` compute each next version (undefined: nothing
 * to change) and writes them, until every write applied to the version it was computed from.
 */
export async function readMergeWrite<D extends Versioned>(
  typed: Collection<D>,
  keys: string[],
  options: RewriteOptions,
  merge: (key: string, doc: D | undefined) => Fields<D> | undefined,
): Promise<void> {
  // Untyped from here: the driver's Filter<D> cannot see that every D has a string _id.
  const collection = typed as unknown as Collection<Versioned & Document>;
  let pending = keys;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) {
      throw new InfrastructureError(
        `Cannot update ${collection.collectionName}: ${pending.length} documents kept changing under ${MAX_ATTEMPTS} attempts`,
        { retriable: true },
      );
    }
    const found = await collection.find({ _id: { $in: slotIds(pending) } }).toArray();
    const current = currentByKey(found as unknown as D[]);
    const stale = found.filter((doc) => current.get(doc.key)?._id !== doc._id).map((doc) => doc._id);
    const changes: Change[] = [];
    for (const key of pending) {
      const doc = current.get(key);
      const next = merge(key, doc);
      if (next) changes.push({ key, current: doc, next: { ...next, key, ver: (doc?.ver ?? 0) + 1 } });
    }
    if (changes.length === 0) return;
    try {
      const applied = options.mode === "update"
        ? await updateInPlace(collection, changes, options.guarded)
        : await replaceSlots(collection, changes, stale, options.guarded);
      if (applied) return;
    } catch (error) {
      // A concurrent insert of the same document; FerretDB may also skip the rest of the batch.
      if (!isDuplicateKeyOnly(error)) throw error;
    }
    pending = changes.map((c) => c.key);
  }
}

interface Change {
  key: string;
  current: Versioned | undefined;
  next: Document & { key: string; ver: number };
}

/** True when every change applied. */
async function updateInPlace(
  collection: Collection<Versioned & Document>,
  changes: Change[],
  guarded: boolean,
): Promise<boolean> {
  const ops: AnyBulkWriteOperation<Versioned & Document>[] = changes.map(({ key, current, next }) =>
    current
      ? {
        updateOne: {
          filter: guarded ? { _id: current._id, ver: current.ver } : { _id: current._id },
          update: { $set: next },
        },
      }
      : { insertOne: { document: { ...next, _id: slotId(key, 0) } } }
  );
  let done = 0;
  for (let start = 0; start < ops.length; start += OPS_PER_COMMAND) {
    const result = await collection.bulkWrite(ops.slice(start, start + OPS_PER_COMMAND), { ordered: false });
    done += result.matchedCount + result.insertedCount;
  }
  return done === ops.length;
}

/** True when every change applied. */
async function replaceSlots(
  collection: Collection<Versioned & Document>,
  changes: Change[],
  stale: string[],
  guarded: boolean,
): Promise<boolean> {
  // A stale version sits in the slot the new one goes to (left by a crash between the steps).
  if (stale.length > 0) await collection.deleteMany({ _id: { $in: stale } });
  const replaced = changes.flatMap((c) => (c.current ? [c.current] : []));
  const ops: AnyBulkWriteOperation<Versioned & Document>[] = changes.map(({ key, current, next }) => ({
    insertOne: { document: { ...next, _id: slotId(key, current?._id === slotId(key, 0) ? 1 : 0) } },
  }));
  // Ordered: the old versions go only when every new one is in.
  if (guarded) {
    ops.push(...replaced.map((doc) => ({ deleteOne: { filter: { _id: doc._id, ver: doc.ver } } })));
  } else if (replaced.length > 0) {
    ops.push({ deleteMany: { filter: { _id: { $in: replaced.map((doc) => doc._id) } } } });
  }
  const result = await collection.bulkWrite(ops, { ordered: true });
  // Guarded, a delete that matched nothing means another writer replaced that version meanwhile:
  // its version and ours both stand, and the next attempt merges again from the newer one.
  return result.insertedCount === changes.length && (!guarded || result.deletedCount === replaced.length);
}

export function isDuplicateKeyOnly(error: unknown): boolean {
  if (error instanceof MongoBulkWriteError) {
    const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    return errors.length > 0 && errors.every((e) => e.code === 11000);
  }
  return error instanceof MongoServerError && error.code === 11000;
}
