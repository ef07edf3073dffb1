/**
 * What a backup holds and how it is described: the embedded engines' files under the data
 * directory (SQLite databases, copied in `backupOrder`, and plain files such as `certs/` and
 * `secret.key`), and `manifest.json` (files, sizes, SHA-256, the log's end offsets) written last,
 * so a folder with a manifest is a finished backup.
 */
import { createHash } from "node:crypto";

/**
 * The order SQLite databases are copied in: consumer offsets first, then the stores (every other
 * `*.db` of the data directory: time series, read models, users, processor state, and any added
 * later), the log last. Each copy is a snapshot taken after the one before it, so every store is
 * at or behind the log it is restored with, and every committed offset at or behind the store it
 * feeds: after a restore the projectors resume from their offsets and re-deliver at most what a
 * store already holds, which the stores skip (time-series points by their natural key, read models
 * and processor state by the checkpoints kept in the same transaction as their rows).
 */
export function backupOrder(databases: readonly string[]): string[] {
  const first = ["log.offsets.db"], last = ["log.db"];
  const stores = databases.filter((name) => !first.includes(name) && !last.includes(name)).sort();
  return [...first, ...stores, ...last].filter((name) => databases.includes(name));
}

/** A database of the data directory: a `*.db` file at its top level. */
export const isDatabase = (path: string) => !path.includes("/") && path.endsWith(".db");

/** SQLite's files beside a database, never copied: their content is in the snapshot. */
export const SIDE_FILES = ["-wal", "-shm", "-journal"];

export const MANIFEST = "manifest.json";
export const FORMAT = "aiot-backup/1";

export interface BackupFile {
  /** Relative to the backup folder and to the data directory alike, e.g. `log.db`, `certs/ca.crt`. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof FORMAT;
  /** When the first database copy began and when the last file was written (ISO-8601). */
  startedAt: string;
  finishedAt: string;
  /** The data directory backed up (absolute). */
  source: string;
  /** The databases in the order they were copied. */
  order: string[];
  files: BackupFile[];
  /** Per topic, each partition's end offset (next offset to be written) in the copied log. */
  logEndOffsets: Record<string, number[]>;
}

/** SHA-256 of a file, streamed (a log may be larger than memory wants to hold). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

/** Reads and checks `manifest.json` of a backup folder; throws saying what is wrong. */
export async function readManifest(dir: string): Promise<BackupManifest> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await Deno.readTextFile(`${dir}/${MANIFEST}`));
  } catch (error) {
    throw new Error(`Cannot read ${dir}/${MANIFEST}: ${error instanceof Error ? error.message : error}`);
  }
  if (manifest.format !== FORMAT) {
    throw new Error(`${dir}/${MANIFEST}: format "${manifest.format}", expected "${FORMAT}"`);
  }
  for (const file of manifest.files) {
    // Restored under the data directory: no path may leave it.
    if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(file.path) || file.path.split("/").includes("..")) {
      throw new Error(`${dir}/${MANIFEST}: unsafe file path "${file.path}"`);
    }
  }
  return manifest;
}

/** Whether `path` is missing or an empty folder. */
export async function isEmptyOrMissing(path: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(path)) return false;
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return true;
    throw error;
  }
}
