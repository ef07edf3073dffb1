import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { offsetsPathOf, SqliteLogStorage } from "./sqlite_log_storage.ts";

Deno.test("SqliteLogStorage keeps commits in log.offsets.db and moves those of older logs there once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aiot-log-storage-" });
  try {
    const path = `${dir}/log.db`;
    assert.equal(offsetsPathOf(path), `${dir}/log.offsets.db`);
    const first = new SqliteLogStorage(path);
    first.createTopic("t", 1);
    first.commit("g", "t", 0, 7);
    first.close();
    assert.ok((await Deno.stat(`${dir}/log.offsets.db`)).isFile);

    // An older log: the commits table inside log.db, no offsets file.
    for (const suffix of ["", "-wal", "-shm"]) {
      await Deno.remove(`${dir}/log.offsets.db${suffix}`).catch(() => {});
    }
    const db = new DatabaseSync(path);
    db.exec(`CREATE TABLE commits (grp TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL,
      next_offset INTEGER NOT NULL, PRIMARY KEY (grp, topic, partition));
      INSERT INTO commits VALUES ('g', 't', 0, 42);`);
    db.close();
    const reopened = new SqliteLogStorage(path);
    assert.equal(reopened.committed("g", "t", 0), 42);
    reopened.close();
    const check = new DatabaseSync(path);
    assert.equal(check.prepare("SELECT 1 FROM sqlite_master WHERE name = 'commits'").get(), undefined);
    check.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
