/**
 * Online backup of the embedded engines: each SQLite database is copied with `VACUUM INTO`
 * through a read-only connection of its own, which reads one consistent snapshot while the
 * platform goes on writing (WAL: readers and the writer do not block each other). The copies are
 * taken one after the other in `backupOrder` (offsets, stores, log last; see manifest.ts), so
 * this process needs no lock on the platform and the platform never pauses. Every other file of
 * the data directory (`certs/`, `secret.key`, …) is copied as it is, with its permissions.
 */
import { DatabaseSync } from "node:sqlite";
import {
  type BackupFile,
  type BackupManifest,
  backupOrder,
  FORMAT,
  isDatabase,
  isEmptyOrMissing,
  MANIFEST,
  sha256File,
  SIDE_FILES,
} from "./manifest.ts";

export interface BackupOptions {
  now?: () => Date;
  /** Called after each file is copied, e.g. for a progress line. */
  progress?: (line: string) => void;
}

/** Backs up `dataDir` into `target` (missing or empty); returns the manifest written there. */
export async function backupDataDir(
  dataDir: string,
  target: string,
  options: BackupOptions = {},
): Promise<BackupManifest> {
  const now = options.now ?? (() => new Date());
  if (!await exists(`${dataDir}/log.db`)) {
    throw new Error(`No embedded log in ${dataDir} (log.db): nothing to back up`);
  }
  if (!await isEmptyOrMissing(target)) throw new Error(`Backup folder ${target} is not empty`);
  // Owner only: the backup holds password hashes, keys and the webhook secret key.
  await Deno.mkdir(target, { recursive: true, mode: 0o700 });
  const startedAt = now().toISOString();
  const present = await filesUnder(dataDir, "");
  const order = backupOrder(present.filter(isDatabase));
  const files: BackupFile[] = [];
  for (const name of order) {
    const started = performance.now();
    snapshot(`${dataDir}/${name}`, `${target}/${name}`);
    files.push(await describe(target, name));
    options.progress?.(
      `${name}: ${files.at(-1)!.bytes} bytes in ${Math.round(performance.now() - started)} ms`,
    );
  }
  const plain = present.filter((path) =>
    !isDatabase(path) && !SIDE_FILES.some((suffix) => path.endsWith(suffix)) && !path.endsWith(".restoring")
  );
  for (const path of plain) {
    if (path.includes("/")) {
      await Deno.mkdir(`${target}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
    }
    await Deno.copyFile(`${dataDir}/${path}`, `${target}/${path}`); // keeps the mode (0600 keys)
    files.push(await describe(target, path));
  }
  const manifest: BackupManifest = {
    format: FORMAT,
    startedAt,
    finishedAt: now().toISOString(),
    source: await Deno.realPath(dataDir),
    order,
    files,
    logEndOffsets: endOffsets(`${target}/log.db`),
  };
  // Written last, by rename: a folder with a manifest holds a finished backup.
  await Deno.writeTextFile(`${target}/${MANIFEST}.partial`, JSON.stringify(manifest, null, 2) + "\n");
  await Deno.rename(`${target}/${MANIFEST}.partial`, `${target}/${MANIFEST}`);
  return manifest;
}

/** One consistent copy of a live database: VACUUM INTO reads a single snapshot. */
function snapshot(source: string, copy: string): void {
  const db = new DatabaseSync(source, { readOnly: true });
  try {
    // A checkpoint or a WAL reset by the platform may hold a lock for a moment.
    db.exec("PRAGMA busy_timeout = 10000");
    db.prepare("VACUUM INTO ?").run(copy);
  } finally {
    db.close();
  }
}

/** Per topic, the end offset of each partition, as the copied log has them. */
function endOffsets(logCopy: string): Record<string, number[]> {
  const db = new DatabaseSync(logCopy, { readOnly: true });
  try {
    const rows = db.prepare(
      `SELECT t.name AS topic, p.partition AS partition, p.next_offset AS end
       FROM topics t JOIN partitions p ON p.topic_id = t.id ORDER BY t.name, p.partition`,
    ).all() as { topic: string; partition: number; end: number }[];
    const offsets: Record<string, number[]> = {};
    for (const { topic, partition, end } of rows) (offsets[topic] ??= [])[partition] = end;
    return offsets;
  } finally {
    db.close();
  }
}

async function describe(dir: string, path: string): Promise<BackupFile> {
  const full = `${dir}/${path}`;
  return { path, bytes: (await Deno.stat(full)).size, sha256: await sha256File(full) };
}

/** Regular files under `dir/sub`, as paths relative to `dir`; none when `sub` is missing. */
async function filesUnder(dir: string, sub: string): Promise<string[]> {
  const found: string[] = [];
  try {
    for await (const entry of Deno.readDir(sub ? `${dir}/${sub}` : dir)) {
      const path = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory) found.push(...await filesUnder(dir, path));
      else if (entry.isFile) found.push(path);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return found.sort();
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
