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
    first.commit([{ group: "g", topic: "t", partition: 0, offset: 7 }]);
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

Deno.test("SqliteLogStorage.offsetForTimestamp() finds the first record at or after a time, across retention gaps", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aiot-log-storage-" });
  try {
    const storage = new SqliteLogStorage(`${dir}/log.db`);
    storage.createTopic("t", 1);
    const message = (timestamp: number) => ({ partition: 0, key: "k", value: "v", headers: {}, timestamp });
    // 1,000 records, 10 per timestamp: 0,0,…,10,10,…,990.
    storage.append("t", Array.from({ length: 1000 }, (_, i) => message(Math.floor(i / 10) * 10)));
    const firstAtOrAfter = (t: number, start = 0) => {
      for (let o = start; o < 1000; o++) if (Math.floor(o / 10) * 10 >= t) return o;
      return 1000;
    };
    for (const t of [-5, 0, 1, 9, 10, 11, 500, 505, 989, 990, 991, 5000]) {
      assert.equal(storage.offsetForTimestamp("t", 0, t), firstAtOrAfter(t), `at ${t}`);
    }
    assert.equal(storage.applyRetention({ olderThan: 300 }), 300);
    for (const t of [0, 299, 300, 301, 777, 991]) {
      assert.equal(
        storage.offsetForTimestamp("t", 0, t),
        Math.max(300, firstAtOrAfter(t)),
        `after retention, at ${t}`,
      );
    }
    storage.append("t", [message(2000)]);
    assert.equal(storage.offsetForTimestamp("t", 0, 1500), 1000);
    storage.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
