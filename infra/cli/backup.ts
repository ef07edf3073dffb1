/**
 * `deno task aiot backup <dir>` and `deno task aiot restore <dir> [--force]`: the embedded
 * engines' files under AIOT_DATA_DIR. Backup runs beside the live platform (online snapshots,
 * log last, see infra/backup); restore wants the platform stopped and, unless `--force`, an empty
 * data directory.
 */
import type { AiotConfig } from "../config/config.ts";
import { backupDataDir, restoreDataDir } from "../backup/mod.ts";

export const BACKUP_USAGE =
  `       deno task aiot backup <dir>      (embedded engines, while the platform runs)
       deno task aiot restore <dir> [--force]   (platform stopped; into an empty AIOT_DATA_DIR)`;

export interface BackupCommandDeps {
  config: AiotConfig;
  fail(message: string): never;
  out?: (line: string) => void;
}

/** Runs `backup` or `restore`; a refusal or a failed check sets exit code 1 with its reason. */
export async function runBackupCommand(
  command: "backup" | "restore",
  args: string[],
  { config, fail, out = (line) => console.error(line) }: BackupCommandDeps,
): Promise<void> {
  const force = args.includes("--force");
  const positional = args.filter((a) => a !== "--force");
  const unknown = positional.find((a) => a.startsWith("--"));
  if (unknown) fail(`${command}: unknown option ${unknown}`);
  if (positional.length !== 1) fail(`${command}: give one backup folder`);
  if (force && command === "backup") fail("backup: --force applies to restore");
  const external = [
    config.kafkaBrokers && "Kafka (AIOT_KAFKA_BROKERS)",
    config.postgresUrl && "PostgreSQL (AIOT_POSTGRES_URL)",
    config.mongoUrl && "MongoDB (AIOT_MONGO_URL)",
  ].filter(Boolean);
  if (external.length > 0) {
    fail(
      `${command} covers the embedded engines only: back up ${external.join(", ")} ` +
        "with the engines' own tools (see README, Operations)",
    );
  }
  const dir = positional[0]!;
  try {
    if (command === "backup") {
      const manifest = await backupDataDir(config.dataDir, dir, { progress: (line) => out(`  ${line}`) });
      const ends = Object.entries(manifest.logEndOffsets)
        .map(([topic, ends]) => `${topic} ${ends.reduce((a, b) => a + b, 0)}`).join(", ");
      out(`backed up ${config.dataDir} into ${dir}: ${manifest.files.length} files; log ends: ${ends}`);
    } else {
      const manifest = await restoreDataDir(dir, config.dataDir, { force });
      out(
        `restored ${dir} (taken ${manifest.startedAt}) into ${config.dataDir}: ${manifest.files.length} files`,
      );
    }
  } catch (error) {
    out(`${command} failed: ${error instanceof Error ? error.message : error}`);
    Deno.exitCode = 1;
  }
}
