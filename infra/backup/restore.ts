/**
 * Restores a backup into a data directory for a stopped platform: every file is checked against
 * the manifest's size and SHA-256 before anything is written, then copied in. A data directory
 * that is not empty is refused unless `force`, which first removes every database there with its
 * SQLite side files (`-wal`, `-shm`, `-journal`: an old WAL next to a restored database would be
 * replayed into it; a database the backup lacks could hold positions past the restored log) and
 * every file the backup replaces; other files stay.
 */
import {
  type BackupManifest,
  isDatabase,
  isEmptyOrMissing,
  readManifest,
  sha256File,
  SIDE_FILES,
} from "./manifest.ts";

export interface RestoreOptions {
  /** Restore into a data directory that already holds files. Default: false (refused). */
  force?: boolean;
}

/** Restores the backup in `source` into `dataDir`; returns its manifest. Stop the platform first. */
export async function restoreDataDir(
  source: string,
  dataDir: string,
  options: RestoreOptions = {},
): Promise<BackupManifest> {
  const manifest = await readManifest(source);
  if (!manifest.files.some((f) => f.path === "log.db")) {
    throw new Error(`${source}: the backup has no log.db`);
  }
  for (const file of manifest.files) {
    const path = `${source}/${file.path}`;
    const bytes = await Deno.stat(path).then((s) => s.size, () => undefined);
    if (bytes === undefined) throw new Error(`${path} is missing`);
    if (bytes !== file.bytes) throw new Error(`${path} has ${bytes} bytes, the manifest says ${file.bytes}`);
    if (await sha256File(path) !== file.sha256) throw new Error(`${path} does not match its SHA-256`);
  }
  if (!await isEmptyOrMissing(dataDir)) {
    if (!options.force) {
      throw new Error(`Data directory ${dataDir} is not empty: restore into an empty one, or pass --force`);
    }
    await clearEngines(dataDir, manifest);
  }
  await Deno.mkdir(dataDir, { recursive: true });
  for (const file of manifest.files) {
    const target = `${dataDir}/${file.path}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    // Copied aside, then renamed: a restore cut short leaves no half-written database.
    await Deno.copyFile(`${source}/${file.path}`, `${target}.restoring`);
    await Deno.rename(`${target}.restoring`, target);
  }
  return manifest;
}

/** Removes what a restore replaces: every database with its side files, and the backed-up files. */
async function clearEngines(dataDir: string, manifest: BackupManifest): Promise<void> {
  const databases = manifest.files.map((f) => f.path).filter(isDatabase);
  for await (const entry of Deno.readDir(dataDir)) {
    if (entry.isFile && isDatabase(entry.name)) databases.push(entry.name);
  }
  for (const name of databases) {
    for (const suffix of ["", ...SIDE_FILES]) {
      await Deno.remove(`${dataDir}/${name}${suffix}`).catch(ignoreNotFound);
    }
  }
  for (const file of manifest.files) await Deno.remove(`${dataDir}/${file.path}`).catch(ignoreNotFound);
}

function ignoreNotFound(error: unknown): void {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
}
