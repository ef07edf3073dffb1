/**
 * Concurrent registrations of one id on the real platform (embedded engines, real scrypt), sent
 * to two API instances that each opened their own device id claims on the shared user database,
 * as two replicas would: exactly one 201, the rest 409, and the answered token is the stored one.
 */
import assert from "node:assert/strict";
import { createApp } from "../../api/app.ts";
import { getDevice } from "../../core/readmodels/mod.ts";
import { verifySecret } from "../auth/secrets.ts";
import { openDeviceIdClaims } from "../stores_from_config.ts";
import { apiDeps } from "./api_wiring.ts";
import { startInProcess } from "./in_process.ts";

Deno.test("two API instances: ten concurrent registrations of one id answer one 201 and nine 409s", async () => {
  const h = await startInProcess();
  const { config } = h.platform;
  const secondClaims = await openDeviceIdClaims(config);
  try {
    const replicas = [
      createApp(apiDeps(config, h.platform)),
      createApp(apiDeps(config, { ...h.platform, deviceIdClaims: secondClaims })),
    ];
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        replicas[i % 2]!.request("/api/v1/devices", {
          method: "POST",
          headers: h.headers,
          body: JSON.stringify({ id: "twin" }),
        })),
    );
    const statuses = responses.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    const winner = await responses.find((r) => r.status === 201)!.json();
    await Promise.all(responses.filter((r) => r.status === 409).map((r) => r.body?.cancel()));
    const row = await getDevice(h.platform.readModels, "twin");
    assert.ok(
      row?.credential && await verifySecret(winner.token, row.credential),
      "the answered token works",
    );
  } finally {
    await secondClaims.close();
    await h.close();
    await Deno.remove(h.dataDir, { recursive: true });
  }
});
