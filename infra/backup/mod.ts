/**
 * @module
 * Backup and restore of the embedded engines (the SQLite files and certificates under
 * AIOT_DATA_DIR) while the platform runs: `deno task aiot backup <dir>` / `restore <dir>`.
 * Production engines (Kafka, PostgreSQL, MongoDB) are backed up with their own tools.
 */
export { backupDataDir, type BackupOptions } from "./backup.ts";
export { restoreDataDir, type RestoreOptions } from "./restore.ts";
export { type BackupFile, type BackupManifest, backupOrder, readManifest } from "./manifest.ts";
