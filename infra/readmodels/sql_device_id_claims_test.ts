/**
 * The SQL device id claims against SQLite (a temp file) and a real PostgreSQL
 * (`AIOT_TEST_POSTGRES_URL`, a schema per run, dropped by the last test), plus the case they exist
 * for: two API replicas (two connection pools) claiming one id at once. An unreachable PostgreSQL
 * fails: never a skip.
 */
import assert from "node:assert/strict";
import { deviceIdClaimsContract } from "../../core/testing/device_id_claims_contract.ts";
import { createPostgresSqlDriver } from "../postgres/postgres_sql_driver.ts";
import { createSqliteSqlDriver } from "../sqlite/sqlite_sql_driver.ts";
import { createSqlDeviceIdClaims } from "./sql_device_id_claims.ts";
import { createSqlUserStore } from "./sql_user_store.ts";
import { adminSql, scratchSchemaName, testPostgresUrl } from "../postgres/_test_postgres.ts";

const dir = await Deno.makeTempDir({ prefix: "aiot-claims-" });
let files = 0;

async function sqliteClaims(path = `${dir}/claims-${files++}.db`) {
  const claims = createSqlDeviceIdClaims(createSqliteSqlDriver({ path }));
  await claims.migrate();
  return claims;
}

for (const c of deviceIdClaimsContract) {
  Deno.test(`DeviceIdClaims contract [sqlite] › ${c.name}`, () => c.run(() => sqliteClaims()));
}

Deno.test("sqlite device id claims share the users database; migrating either twice is a no-op", async () => {
  const path = `${dir}/users.db`;
  const users = createSqlUserStore(createSqliteSqlDriver({ path }));
  await users.migrate();
  const claims = await sqliteClaims(path);
  try {
    await claims.migrate();
    await users.migrate();
    assert.equal(await claims.claim("d1", { owner: "a", now: 0, expiresAt: 10 }), true);
    assert.deepEqual(await users.listUsers(), []);
  } finally {
    await Promise.all([claims.close(), users.close()]);
  }
});

const url = testPostgresUrl;
const schema = scratchSchemaName("claims_test");
const admin = (statement: string) => adminSql(statement);

let schemaReady: Promise<void> | undefined;

async function postgresClaims() {
  await (schemaReady ??= admin(`CREATE SCHEMA IF NOT EXISTS ${schema}`));
  const claims = createSqlDeviceIdClaims(await createPostgresSqlDriver({ url, searchPath: schema }));
  await claims.migrate();
  await admin(`DELETE FROM ${schema}.device_id_claims`);
  return claims;
}

for (const c of deviceIdClaimsContract) {
  Deno.test(`DeviceIdClaims contract [postgres] › ${c.name}`, () => c.run(postgresClaims));
}

Deno.test("postgres device id claims: two replicas claiming one id at once, one wins", async () => {
  const replicas = [await postgresClaims(), await postgresClaims()];
  try {
    for (let round = 0; round < 5; round++) {
      const id = `twin-${round}`;
      const won = await Promise.all(
        Array.from(
          { length: 10 },
          (_, i) => replicas[i % 2]!.claim(id, { owner: `o${i}`, now: 1000, expiresAt: 61_000 }),
        ),
      );
      assert.equal(won.filter(Boolean).length, 1, id);
    }
  } finally {
    await Promise.all(replicas.map((r) => r.close()));
  }
});

Deno.test("postgres device id claims: drop the test schema", async () => {
  await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await Deno.remove(dir, { recursive: true });
});
