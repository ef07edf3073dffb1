import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createSqliteEventLog } from "../sqlite/sqlite_event_log.ts";
import { backupDataDir } from "./backup.ts";
import { readManifest } from "./manifest.ts";
import { restoreDataDir } from "./restore.ts";

/** A data directory: a log of `records` messages on `t` (2 partitions), a certificate, a key. */
async function dataDirWith(records: number): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "aiot-restore-" });
  const log = createSqliteEventLog({ path: `${dir}/log.db` });
  await log.ensureTopics([{ name: "t", partitions: 2 }]);
  for (let i = 0; i < records; i++) {
    await log.append("t", [{ key: `k${i}`, value: `v${i}` }]);
  }
  await log.close();
  await Deno.mkdir(`${dir}/certs`);
  await Deno.writeTextFile(`${dir}/certs/ca.crt`, "-----BEGIN CERTIFICATE-----\n");
  await Deno.writeTextFile(`${dir}/secret.key`, "k".repeat(32), { mode: 0o600 });
  return dir;
}

const count = (path: string) => {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare("SELECT SUM(next_offset) AS n FROM partitions").get()!.n;
  } finally {
    db.close();
  }
};

Deno.test("backupDataDir() writes the log last and describes every file; restoreDataDir() puts them back", async () => {
  const source = await dataDirWith(5);
  const backup = `${source}-backup`;
  const manifest = await backupDataDir(source, backup);
  assert.equal(manifest.order.at(-1), "log.db");
  assert.deepEqual(manifest.order, ["log.offsets.db", "log.db"]);
  assert.deepEqual(manifest.files.map((f) => f.path).sort(), [
    "certs/ca.crt",
    "log.db",
    "log.offsets.db",
    "secret.key",
  ]);
  assert.deepEqual(Object.keys(manifest.logEndOffsets), ["t"]);
  assert.equal(manifest.logEndOffsets.t!.length, 2);
  assert.equal(manifest.logEndOffsets.t!.reduce((a, b) => a + b), 5);
  assert.deepEqual(await readManifest(backup), manifest);
  await assert.rejects(backupDataDir(source, backup), /not empty/);

  const target = `${source}-restored`;
  await restoreDataDir(backup, target);
  assert.equal(count(`${target}/log.db`), 5);
  assert.equal(await Deno.readTextFile(`${target}/certs/ca.crt`), "-----BEGIN CERTIFICATE-----\n");
  assert.equal((await Deno.stat(`${target}/secret.key`)).mode! & 0o777, 0o600, "the key stays private");
  for (const dir of [source, backup, target]) await Deno.remove(dir, { recursive: true });
});

Deno.test("restoreDataDir() refuses a changed file before writing anything", async () => {
  const source = await dataDirWith(3);
  const backup = `${source}-backup`;
  await backupDataDir(source, backup);
  const bytes = await Deno.readFile(`${backup}/log.db`);
  bytes[100] = bytes[100]! ^ 0xff;
  await Deno.writeFile(`${backup}/log.db`, bytes);
  const target = `${source}-restored`;
  await assert.rejects(restoreDataDir(backup, target), /log\.db does not match its SHA-256/);
  await assert.rejects(Deno.stat(target), Deno.errors.NotFound);
  for (const dir of [source, backup]) await Deno.remove(dir, { recursive: true });
});

Deno.test("restoreDataDir() refuses a non-empty data directory unless forced, then drops every old database", async () => {
  const older = await dataDirWith(2);
  const backup = `${older}-backup`;
  await backupDataDir(older, backup);
  const target = await dataDirWith(7);
  await Deno.writeTextFile(`${target}/log.db-wal`, "stale");
  await Deno.writeTextFile(`${target}/processors.db`, "state past the restored log");
  await Deno.writeTextFile(`${target}/notes.txt`, "kept");
  await assert.rejects(
    restoreDataDir(backup, target),
    /not empty: restore into an empty one, or pass --force/,
  );
  assert.equal(count(`${target}/log.db`), 7, "untouched when refused");

  await restoreDataDir(backup, target, { force: true });
  await assert.rejects(Deno.stat(`${target}/log.db-wal`), Deno.errors.NotFound);
  await assert.rejects(Deno.stat(`${target}/processors.db`), Deno.errors.NotFound);
  assert.equal(await Deno.readTextFile(`${target}/notes.txt`), "kept");
  assert.equal(count(`${target}/log.db`), 2);
  for (const dir of [older, backup, target]) await Deno.remove(dir, { recursive: true });
});
