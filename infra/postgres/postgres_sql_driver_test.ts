/**
 * How the PostgreSQL driver classifies failures, against the real server (`AIOT_TEST_POSTGRES_URL`,
 * started by `infra/local/engines.sh`). Outages go through a TCP proxy the test cuts, so the shared
 * server keeps running for everyone else.
 */
import assert from "node:assert/strict";
import { InfrastructureError, isRetriable } from "../../core/errors.ts";
import { startTcpProxy } from "../dev/tcp_proxy.ts";
import { createPostgresSqlDriver, reconnectBackoffSeconds } from "./postgres_sql_driver.ts";

const url = new URL(Deno.env.get("AIOT_TEST_POSTGRES_URL") ?? "postgres://aiot:aiot@127.0.0.1:15432/aiot");

/** Makes the real server answer with an error of this SQLSTATE. */
const raising = (sqlstate: string) =>
  `DO $$ BEGIN RAISE EXCEPTION 'simulated ${sqlstate}' USING ERRCODE = '${sqlstate}'; END $$`;

Deno.test("postgres driver: connection, resource and shutdown SQLSTATEs are retriable InfrastructureErrors; bad statements are not", async () => {
  const driver = await createPostgresSqlDriver({ url: url.href });
  try {
    // 08: connection exception; 53: insufficient resources (disk full, out of memory, too many
    // connections, a configured limit); 57P01-57P03: the server shuts down, crashed or is starting.
    for (
      const sqlstate of ["08006", "53000", "53100", "53200", "53300", "53400", "57P01", "57P02", "57P03"]
    ) {
      const error = await driver.query(raising(sqlstate)).then(() => undefined, (e) => e);
      assert.ok(error instanceof InfrastructureError, `${sqlstate}: got ${error}`);
      assert.equal(error.retriable, true, sqlstate);
      assert.match(error.message, new RegExp(`simulated ${sqlstate} \\(${sqlstate}\\)`));
    }
    // Unique violation, invalid text representation, syntax error: the input, not the server.
    for (const sqlstate of ["23505", "22P02", "42601"]) {
      const error = await driver.query(raising(sqlstate)).then(() => undefined, (e) => e);
      assert.ok(error instanceof Error && !isRetriable(error), `${sqlstate}: got ${error}`);
    }
  } finally {
    await driver.close();
  }
});

Deno.test("postgres driver: a terminated or refused connection is retriable, and the driver recovers when the server is back", async () => {
  const proxy = startTcpProxy({ hostname: url.hostname, port: Number(url.port) });
  const through = new URL(url);
  through.port = String(proxy.port);
  const driver = await createPostgresSqlDriver({ url: through.href, max: 1 });
  try {
    const terminated = await driver.query("SELECT pg_terminate_backend(pg_backend_pid())")
      .then(() => undefined, (e) => e);
    assert.ok(isRetriable(terminated), `the server ended the session (57P01): ${terminated}`);
    proxy.cut();
    for (let i = 0; i < 3; i++) {
      const refused = await driver.query("SELECT 1").then(() => undefined, (e) => e);
      assert.ok(refused instanceof InfrastructureError && refused.retriable, `${refused}`);
    }
    proxy.restore();
    // As the runner does: retry while the error is retriable (the first query after a server-side
    // termination may still report it), then the result must be exact.
    let rows: unknown[] | undefined;
    for (let attempt = 1; rows === undefined; attempt++) {
      rows = await driver.query("SELECT 1 AS one").catch((error) => {
        if (!isRetriable(error) || attempt === 5) throw error;
        return undefined;
      });
    }
    assert.deepEqual(rows, [{ one: 1 }]);
  } finally {
    await driver.close();
    proxy.close();
  }
});

Deno.test("postgres driver: reconnect attempts back off by at most 1 s, so a call during an outage fails fast", () => {
  // postgres.js waits up to 20 s before reconnecting by default: every query of that pool (an API
  // request too) would hang that long before it could even fail.
  for (const retries of [0, 1, 5, 10, 100]) {
    const seconds = reconnectBackoffSeconds(retries);
    assert.ok(seconds >= 0 && seconds <= 1, `retry ${retries}: ${seconds} s`);
  }
});
