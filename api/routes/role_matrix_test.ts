/**
 * The role matrix, route by route: every protected route answers 401 without credentials, 403 to
 * each role without its permission, and its success status to each role with it. Each caller gets
 * a fresh app, so one caller's write cannot change what the next one sees.
 */
import assert from "node:assert/strict";
import { type Permission, type Role, roleAllows, ROLES } from "../../core/users/roles.ts";
import { createEvent } from "../../core/events/catalog.ts";
import { createInMemoryWebhookStore } from "../../core/testing/in_memory_webhook_store.ts";
import type { SecretBox } from "../../core/webhooks/store.ts";
import { createDownloadSigner } from "../../core/firmware/mod.ts";
import { createInMemoryFirmwareStore } from "../../core/testing/in_memory_firmware_store.ts";
import { createTestApp, PASSWORD, T0, type TestApp } from "../_test_app.ts";

const HOT = {
  name: "hot",
  severity: "warning",
  condition: { kind: "threshold", metric: "temperature", op: ">", value: 30 },
};

interface Row {
  method: string;
  path: string;
  permission: Permission;
  body?: unknown;
  /** Sent as application/octet-stream instead of JSON (firmware uploads). */
  raw?: Uint8Array<ArrayBuffer>;
  ok: number;
}

const matrix: Row[] = [
  { method: "POST", path: "/api/v1/auth/logout", permission: "read", ok: 204 },
  { method: "GET", path: "/api/v1/auth/me", permission: "read", ok: 200 },
  {
    method: "POST",
    path: "/api/v1/auth/password",
    permission: "read",
    body: { currentPassword: PASSWORD, newPassword: "a brand new passphrase" },
    ok: 204,
  },
  {
    method: "POST",
    path: "/api/v1/users",
    permission: "manage",
    body: { username: "newbie", password: "long enough", role: "viewer" },
    ok: 201,
  },
  { method: "GET", path: "/api/v1/users", permission: "manage", ok: 200 },
  { method: "DELETE", path: "/api/v1/users/zed", permission: "manage", ok: 204 },
  {
    method: "POST",
    path: "/api/v1/users/zed/password",
    permission: "manage",
    body: { password: "long enough" },
    ok: 204,
  },
  {
    method: "POST",
    path: "/api/v1/tokens",
    permission: "manage",
    body: { name: "ci2", role: "viewer" },
    ok: 201,
  },
  { method: "GET", path: "/api/v1/tokens", permission: "manage", ok: 200 },
  { method: "DELETE", path: "/api/v1/tokens/ci", permission: "manage", ok: 204 },
  { method: "GET", path: "/api/v1/audit", permission: "manage", ok: 200 },
  { method: "POST", path: "/api/v1/devices", permission: "operate", body: { id: "d2" }, ok: 201 },
  { method: "GET", path: "/api/v1/devices", permission: "read", ok: 200 },
  { method: "GET", path: "/api/v1/devices/d1", permission: "read", ok: 200 },
  { method: "PATCH", path: "/api/v1/devices/d1", permission: "operate", body: { name: "Boiler" }, ok: 200 },
  { method: "DELETE", path: "/api/v1/devices/d1", permission: "operate", ok: 200 },
  { method: "POST", path: "/api/v1/devices/d1/token", permission: "operate", ok: 200 },
  { method: "GET", path: "/api/v1/devices/d1/telemetry?metric=temperature", permission: "read", ok: 200 },
  { method: "GET", path: "/api/v1/devices/d1/metrics", permission: "read", ok: 200 },
  { method: "GET", path: "/api/v1/devices/d1/state", permission: "read", ok: 200 },
  {
    method: "PATCH",
    path: "/api/v1/devices/d1/state/desired",
    permission: "operate",
    body: { fan: "on" },
    ok: 202,
  },
  {
    method: "POST",
    path: "/api/v1/devices/d1/commands",
    permission: "operate",
    body: { name: "reboot" },
    ok: 202,
  },
  { method: "GET", path: "/api/v1/devices/d1/commands", permission: "read", ok: 200 },
  { method: "GET", path: "/api/v1/commands/{command}", permission: "read", ok: 200 },
  { method: "GET", path: "/api/v1/dlq", permission: "read", ok: 200 },
  { method: "GET", path: "/api/v1/stream?types=telemetry.reported", permission: "read", ok: 200 },
  {
    method: "GET",
    path: "/api/v1/export?topic=telemetry&from=0&to=1000&format=csv",
    permission: "read",
    ok: 200,
  },
  { method: "POST", path: "/api/v1/rules", permission: "operate", body: { id: "r2", ...HOT }, ok: 201 },
  { method: "GET", path: "/api/v1/rules", permission: "read", ok: 200 },
  { method: "GET", path: "/api/v1/rules/r1", permission: "read", ok: 200 },
  { method: "PUT", path: "/api/v1/rules/r1", permission: "operate", body: HOT, ok: 200 },
  { method: "DELETE", path: "/api/v1/rules/r1", permission: "operate", ok: 204 },
  {
    method: "POST",
    path: "/api/v1/rules/backtest",
    permission: "read",
    body: { rule: "r1", from: 0, to: 1_000 },
    ok: 200,
  },
  { method: "GET", path: "/api/v1/alerts?status=open", permission: "read", ok: 200 },
  { method: "GET", path: "/api/v1/alerts/al-1", permission: "read", ok: 200 },
  { method: "POST", path: "/api/v1/alerts/al-1/ack", permission: "operate", ok: 200 },
  { method: "POST", path: "/api/v1/alerts/al-1/clear", permission: "operate", ok: 200 },
  {
    method: "POST",
    path: "/api/v1/webhooks",
    permission: "manage",
    body: { url: "https://hooks.example.com/x", types: ["alert.raised"] },
    ok: 201,
  },
  { method: "GET", path: "/api/v1/webhooks", permission: "manage", ok: 200 },
  { method: "DELETE", path: "/api/v1/webhooks/{webhook}", permission: "manage", ok: 204 },
  { method: "GET", path: "/api/v1/webhooks/{webhook}/deliveries", permission: "manage", ok: 200 },
  {
    method: "POST",
    path: "/api/v1/firmware?name=fw&version=2",
    permission: "operate",
    raw: new Uint8Array([1, 2, 3]),
    ok: 201,
  },
  { method: "GET", path: "/api/v1/firmware", permission: "read", ok: 200 },
  { method: "GET", path: "/api/v1/retention", permission: "read", ok: 200 },
  { method: "GET", path: "/api/v1/firmware/{firmware}", permission: "read", ok: 200 },
  // An image no campaign uses: one that a campaign holds answers 409 (firmware_test.ts).
  { method: "DELETE", path: "/api/v1/firmware/{spare}", permission: "operate", ok: 204 },
  {
    method: "POST",
    path: "/api/v1/ota/campaigns",
    permission: "operate",
    body: { name: "c", firmwareId: "{firmware}", target: { devices: ["d1"] } },
    ok: 201,
  },
  { method: "GET", path: "/api/v1/ota/campaigns", permission: "read", ok: 200 },
  { method: "GET", path: "/api/v1/ota/campaigns/{campaign}", permission: "read", ok: 200 },
  { method: "GET", path: "/api/v1/ota/campaigns/{campaign}/jobs", permission: "read", ok: 200 },
  { method: "POST", path: "/api/v1/ota/campaigns/{campaign}/start", permission: "operate", ok: 200 },
  // The fixture's campaign was never started: an allowed caller gets as far as the 409.
  { method: "POST", path: "/api/v1/ota/campaigns/{campaign}/pause", permission: "operate", ok: 409 },
  { method: "POST", path: "/api/v1/ota/campaigns/{campaign}/resume", permission: "operate", ok: 409 },
  { method: "POST", path: "/api/v1/ota/campaigns/{campaign}/cancel", permission: "operate", ok: 200 },
];

/** A box that only marks what it seals: these tests are about roles, not cryptography. */
const box: SecretBox = {
  seal: (plaintext, context) => Promise.resolve(`sealed:${context}:${plaintext}`),
  open: (sealed, context) => Promise.resolve(sealed.slice(`sealed:${context}:`.length)),
};

/**
 * A fresh app with a device d1 reporting temperature, one of its commands, a rule r1 with an open
 * alert al-1, a user zed and an API token ci.
 */
async function fixture(): Promise<
  {
    t: TestApp;
    commandId: string;
    webhookId: string;
    firmwareId: string;
    spareFirmwareId: string;
    campaignId: string;
  }
> {
  const t = await createTestApp({
    live: () => new Response("", { headers: { "content-type": "text/event-stream" } }),
    webhooks: {
      store: createInMemoryWebhookStore(),
      secrets: box,
      checkUrl: () => Promise.resolve(undefined),
    },
    firmware: {
      store: createInMemoryFirmwareStore(),
      signer: await createDownloadSigner(new Uint8Array(32)),
    },
    retention: () =>
      Promise.resolve({ engines: { log: "memory", timeseries: "memory" }, sweepIntervalMs: 1, items: [] }),
  });
  assert.equal((await t.call("POST", "/api/v1/devices", { as: "admin", body: { id: "d1" } })).status, 201);
  const command =
    await (await t.call("POST", "/api/v1/devices/d1/commands", { as: "admin", body: { name: "ping" } }))
      .json();
  const zed = { username: "zed", password: "password1", role: "viewer" };
  assert.equal((await t.call("POST", "/api/v1/users", { as: "admin", body: zed })).status, 201);
  assert.equal(
    (await t.call("POST", "/api/v1/tokens", { as: "admin", body: { name: "ci", role: "viewer" } })).status,
    201,
  );
  const { topics } = t.deps;
  await t.deps.appendEvents(topics.telemetry, [
    createEvent("telemetry.reported", { values: [{ name: "temperature", value: 20, ts: T0 }] }, {
      key: "d1",
      source: "test",
    }),
  ]);
  assert.equal(
    (await t.call("POST", "/api/v1/rules", { as: "admin", body: { id: "r1", ...HOT } })).status,
    201,
  );
  await t.deps.appendEvents(topics.alert, [createEvent("alert.raised", {
    alertId: "al-1",
    ruleId: "r1",
    ruleVersion: 1,
    deviceId: "d1",
    severity: "warning",
    raisedAt: T0,
    value: 31,
    message: "hot",
  }, { key: "d1", source: "rules" })]);
  const webhook = await (await t.call("POST", "/api/v1/webhooks", {
    as: "admin",
    body: { url: "https://hooks.example.com/a", types: ["device.registered"] },
  })).json();
  const firmware = await (await t.app.request("/api/v1/firmware?name=fw&version=1", {
    method: "POST",
    headers: { authorization: `Bearer ${t.tokens.admin}`, "content-type": "application/octet-stream" },
    body: new Uint8Array([1]),
  })).json();
  const spare = await (await t.app.request("/api/v1/firmware?name=spare&version=1", {
    method: "POST",
    headers: { authorization: `Bearer ${t.tokens.admin}`, "content-type": "application/octet-stream" },
    body: new Uint8Array([2]),
  })).json();
  const campaign = await (await t.call("POST", "/api/v1/ota/campaigns", {
    as: "admin",
    body: { name: "c", firmwareId: firmware.id, target: { devices: ["d1"] } },
  })).json();
  return {
    t,
    commandId: command.commandId,
    webhookId: webhook.id,
    firmwareId: firmware.id,
    spareFirmwareId: spare.id,
    campaignId: campaign.id,
  };
}

for (const row of matrix) {
  const allowed = ROLES.filter((role) => roleAllows(role, row.permission));
  Deno.test(`${row.method} ${row.path.split("?")[0]}: ${allowed.join(", ")} allowed; others 403; none 401`, async () => {
    for (const caller of [undefined, ...ROLES] as (Role | undefined)[]) {
      const { t, commandId, webhookId, firmwareId, spareFirmwareId, campaignId } = await fixture();
      const path = row.path.replace("{command}", commandId).replace("{webhook}", webhookId)
        .replace("{firmware}", firmwareId).replace("{spare}", spareFirmwareId).replace(
          "{campaign}",
          campaignId,
        );
      const response = row.raw
        ? await t.app.request(path, {
          method: row.method,
          headers: {
            "content-type": "application/octet-stream",
            ...(caller ? { authorization: `Bearer ${t.tokens[caller]}` } : {}),
          },
          body: row.raw,
        })
        : await t.call(row.method, path, {
          ...(caller ? { as: caller } : {}),
          ...(row.body === undefined
            ? {}
            : { body: JSON.parse(JSON.stringify(row.body).replace("{firmware}", firmwareId)) }),
        });
      const expected = caller === undefined ? 401 : allowed.includes(caller) ? row.ok : 403;
      const text = await response.text();
      assert.equal(response.status, expected, `${caller ?? "anonymous"}: ${text}`);
      if (expected === 401 || expected === 403) {
        assert.equal(JSON.parse(text).error.code, expected === 401 ? "unauthorized" : "forbidden");
      }
    }
  });
}

Deno.test("the role matrix covers every protected route of the OpenAPI document", async () => {
  const { t } = await fixture();
  const doc = await (await t.call("GET", "/api/v1/openapi.json")).json();
  const documented = Object.entries(doc.paths as Record<string, Record<string, { security?: unknown[] }>>)
    .flatMap(([path, ops]) =>
      Object.entries(ops).filter(([, op]) => op.security === undefined).map(([m]) =>
        `${m.toUpperCase()} ${path}`
      )
    );
  const tested = matrix.map((r) =>
    `${r.method} ${
      r.path.split("?")[0]!.replace("d1", "{id}").replace("/r1", "/{id}").replace("al-1", "{id}").replace(
        "{webhook}",
        "{id}",
      ).replace(
        "zed",
        "{name}",
      ).replace("/ci", "/{name}").replace(
        "{command}",
        "{id}",
      ).replace("{firmware}", "{id}").replace("{spare}", "{id}").replace("{campaign}", "{id}")
    }`
  );
  assert.deepEqual([...new Set(tested)].sort(), documented.sort());
});
