import assert from "node:assert/strict";
import { backupOrder, isDatabase } from "./manifest.ts";

Deno.test("backupOrder() copies the offsets first, every store between, the log last", () => {
  const names = ["users.db", "log.db", "processors.db", "log.offsets.db", "timeseries.db", "readmodels.db"];
  assert.deepEqual(backupOrder(names), [
    "log.offsets.db",
    "processors.db",
    "readmodels.db",
    "timeseries.db",
    "users.db",
    "log.db",
  ]);
  assert.deepEqual(backupOrder(["log.db"]), ["log.db"]);
});

Deno.test("isDatabase() takes the data directory's top-level *.db files only", () => {
  assert.ok(isDatabase("readmodels.db"));
  assert.ok(!isDatabase("log.db-wal"));
  assert.ok(!isDatabase("certs/devices/x.db"));
  assert.ok(!isDatabase("secret.key"));
});
