/**
 * The device registry through the API with its read models on a real PostgreSQL
 * (`AIOT_TEST_POSTGRES_URL`, a schema per run, dropped by the last test). PostgreSQL cannot store
 * NUL in text: a name carrying one must be refused before it is appended, and everything else
 * (including NUL inside JSON documents, stored as the escape `\u0000`) must still round-trip.
 * An unreachable PostgreSQL fails: never a skip.
 */
import assert from "node:assert/strict";
import { createTestApp } from "../../api/_test_app.ts";
import { getDevice } from "../../core/readmodels/mod.ts";
import { createPostgresSqlDriver } from "../postgres/postgres_sql_driver.ts";
import { createSqlReadModelStore } from "../readmodels/sql_read_model_store.ts";
import { adminSql, scratchSchemaName, testPostgresUrl } from "../postgres/_test_postgres.ts";

const url = testPostgresUrl;
const schema = scratchSchemaName("registry_test");
const admin = (statement: string) => adminSql(statement);

async function postgresApp() {
  await admin(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  const readModels = createSqlReadModelStore(await createPostgresSqlDriver({ url, searchPath: schema }));
  await readModels.migrate();
  return { t: await createTestApp({ readModels }), readModels };
}

Deno.test("postgres registry: a NUL in a name or label is a 400 before anything is appended", async () => {
  const { t, readModels } = await postgresApp();
  try {
    for (
      const [body, field] of [
        [{ id: "pg-nul-1", name: "pump\u0000" }, "name"],
        [{ id: "pg-nul-2", labels: { site: "\u0000" } }, "labels.site"],
      ] as const
    ) {
      const response = await t.call("POST", "/api/v1/devices", { as: "operator", body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.deepEqual((await response.json()).error.details.map((d: { path: string }) => d.path), [field]);
      assert.equal((await t.call("GET", `/api/v1/devices/${body.id}`, { as: "viewer" })).status, 404);
    }
    assert.equal(t.appended.length, 0);
  } finally {
    await readModels.close();
  }
});

Deno.test("postgres registry: a valid device is stored with a working token; JSON keeps NUL as data", async () => {
  const { t, readModels } = await postgresApp();
  try {
    const created = await t.call("POST", "/api/v1/devices", {
      as: "operator",
      body: { id: "pg-ok", name: "Chaudière ☃", labels: { site: "Zürich" } },
    });
    assert.equal(created.status, 201);
    const { token } = await created.json();
    const row = await getDevice(readModels, "pg-ok");
    assert.equal(row?.name, "Chaudière ☃");
    assert.ok(
      row?.credential && await t.deps.verifySecret(token, row.credential),
      "the answered token works",
    );
    const listed = await (await t.call("GET", "/api/v1/devices?label=site:Zürich", { as: "viewer" })).json();
    assert.deepEqual(listed.items.map((d: { id: string }) => d.id), ["pg-ok"]);
    const desired = await t.call("PATCH", "/api/v1/devices/pg-ok/state/desired", {
      as: "operator",
      body: { raw: "a\u0000b" },
    });
    assert.equal(desired.status, 202);
    assert.equal((await desired.json()).desired.raw, "a\u0000b");
  } finally {
    await readModels.close();
  }
});

Deno.test("postgres registry: drop the test schema", async () => {
  await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
});
