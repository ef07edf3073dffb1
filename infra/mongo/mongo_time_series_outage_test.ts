/**
 * How the MongoDB store fails during an outage, against the real server (FerretDB locally) behind
 * a TCP proxy the test cuts: as a retriable `InfrastructureError`, so the runner waits the outage
 * out instead of dead-lettering telemetry.
 */
import assert from "node:assert/strict";
import { InfrastructureError } from "../../core/errors.ts";
import { startTcpProxy } from "../dev/tcp_proxy.ts";
import { createMongoTimeSeriesStore } from "./mongo_time_series_store.ts";
import { MONGO_URL, withDatabase } from "./_mongo_test_support.ts";

const point = (t: number, value: number) => ({ deviceId: "d1", metric: "temperature", t, value, seq: t });

Deno.test("mongo time series: during an outage writes and queries fail as retriable InfrastructureErrors, then work again", () =>
  withDatabase(async (database) => {
    const target = new URL(MONGO_URL);
    const proxy = startTcpProxy({ hostname: target.hostname, port: Number(target.port) });
    const through = new URL(MONGO_URL);
    through.port = String(proxy.port);
    // A short server selection keeps the test quick; the classification does not depend on it.
    const store = createMongoTimeSeriesStore({ url: through.href, database, serverSelectionTimeoutMS: 300 });
    try {
      await store.init();
      await store.write([point(1_000, 1)]);
      proxy.cut();
      for (const call of [() => store.write([point(2_000, 2)]), () => store.latest("d1")]) {
        const error = await call().then(() => undefined, (e) => e);
        assert.ok(error instanceof InfrastructureError, `got ${error?.name}: ${error?.message}`);
        assert.equal(error.retriable, true);
      }
      proxy.restore();
      for (let attempt = 1;; attempt++) {
        const error = await store.write([point(2_000, 2)]).then(() => undefined, (e) => e);
        if (error === undefined) break;
        if (!(error instanceof InfrastructureError) || attempt === 20) throw error;
      }
      assert.deepEqual(await store.latest("d1"), [{ metric: "temperature", t: 2_000, value: 2 }]);
    } finally {
      await store.close();
      proxy.close();
    }
  }));
