import assert from "node:assert/strict";
import { hashSecret, verifySecret } from "../auth/secrets.ts";
import { InfrastructureError } from "../../core/errors.ts";
import { createDeviceAuthenticator } from "./device_auth.ts";
import type { DirectoryDevice } from "./device_directory.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

async function setup() {
  const credential = await hashSecret("token-1", { logN: 10, r: 8, p: 1 });
  const devices = new Map<string, DirectoryDevice>([
    ["dev-1", { status: "active", credential }],
    ["dev-old", { status: "decommissioned", credential }],
    ["dev-cert", { status: "active" }],
  ]);
  let verifications = 0;
  const clock = { t: Date.UTC(2025, 0, 1) };
  const auth = createDeviceAuthenticator({ findDevice: (id) => Promise.resolve(devices.get(id)) }, {
    verify: (token, stored) => {
      verifications++;
      return verifySecret(token, stored);
    },
    unknownDeviceCredential: credential,
    now: () => clock.t,
  });
  return { auth, devices, verifications: () => verifications, clock };
}

Deno.test("withToken() admits the right token and refuses wrong, unknown and missing ones with code 4", async () => {
  const { auth } = await setup();
  assert.deepEqual(await auth.withToken("dev-1", bytes("token-1")), {
    ok: true,
    deviceId: "dev-1",
    method: "token",
  });
  for (
    const [id, token] of [["dev-1", "nope"], ["ghost", "token-1"], ["dev-1", ""], [undefined, "x"]] as const
  ) {
    const outcome = await auth.withToken(id, bytes(token));
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.returnCode, 4, `${id}/${token}`);
  }
});

Deno.test("withToken() refuses a decommissioned device with code 5, only after the token matched", async () => {
  const { auth } = await setup();
  const right = await auth.withToken("dev-old", bytes("token-1"));
  assert.equal(!right.ok && right.returnCode, 5);
  const wrong = await auth.withToken("dev-old", bytes("nope"));
  assert.equal(!wrong.ok && wrong.returnCode, 4);
});

Deno.test("withToken() remembers a verified token until the hash changes or forgetDevice()", async () => {
  const { auth, devices, verifications } = await setup();
  for (let i = 0; i < 5; i++) assert.equal((await auth.withToken("dev-1", bytes("token-1"))).ok, true);
  assert.equal(verifications(), 1);
  auth.forgetDevice("dev-1");
  assert.equal((await auth.withToken("dev-1", bytes("token-1"))).ok, true);
  assert.equal(verifications(), 2);
  devices.set("dev-1", {
    status: "active",
    credential: await hashSecret("token-2", { logN: 10, r: 8, p: 1 }),
  });
  assert.equal((await auth.withToken("dev-1", bytes("token-1"))).ok, false, "rotated token still accepted");
  devices.set("dev-1", { ...devices.get("dev-1")!, status: "decommissioned" });
  assert.equal((await auth.withToken("dev-1", bytes("token-2"))).ok, false, "decommissioned but admitted");
});

Deno.test("withToken() answers code 3 when the directory is down", async () => {
  const auth = createDeviceAuthenticator({ findDevice: () => Promise.reject(new Error("db down")) });
  const outcome = await auth.withToken("dev-1", bytes("token-1"));
  assert.equal(!outcome.ok && outcome.returnCode, 3);
});

Deno.test("withCertificate() admits an active CN and refuses mismatch, unknown and decommissioned", async () => {
  const { auth } = await setup();
  assert.equal((await auth.withCertificate("dev-cert", undefined)).ok, true);
  assert.equal((await auth.withCertificate("dev-cert", "dev-cert")).ok, true);
  for (
    const [cn, user] of [["dev-cert", "dev-1"], ["ghost", undefined], ["dev-old", undefined], [
      "a/b",
      undefined,
    ]]
  ) {
    const outcome = await auth.withCertificate(cn!, user);
    assert.equal(!outcome.ok && outcome.returnCode, 5, `${cn}/${user}`);
  }
});

Deno.test("withToken() verifies a hash for unknown ids too, so they cost what a wrong token costs", async () => {
  const { auth, verifications } = await setup();
  const before = verifications();
  for (const id of ["ghost", "dev-cert"]) {
    const outcome = await auth.withToken(id, bytes("token-1"));
    assert.equal(!outcome.ok && outcome.returnCode, 4, id);
  }
  assert.equal(verifications() - before, 2, "one verification each (against a dummy hash)");
});

Deno.test("withToken() throttles failed logins per device id: code 3 and no hash check after 10", async () => {
  const { auth, verifications, clock } = await setup();
  await auth.withToken("dev-1", bytes("token-1")); // remembered: still admitted while throttled
  for (let i = 0; i < 10; i++) {
    const outcome = await auth.withToken("dev-1", bytes(`wrong-${i}`), `198.51.100.${i}:1000`);
    assert.equal(!outcome.ok && outcome.returnCode, 4);
  }
  const before = verifications();
  const throttled = await auth.withToken("dev-1", bytes("wrong-again"), "198.51.100.99:1000");
  assert.equal(!throttled.ok && throttled.returnCode, 3);
  assert.match(!throttled.ok ? throttled.reason : "", /too many failed logins for device "dev-1"/);
  assert.equal(verifications(), before, "no scrypt run while throttled");
  assert.equal((await auth.withToken("dev-1", bytes("token-1"))).ok, true, "the remembered token passes");
  clock.t += 60_000;
  assert.equal((await auth.withToken("dev-1", bytes("wrong"), "198.51.100.1:1")).ok, false);
  assert.ok(verifications() > before, "checked again once the window passed");
});

Deno.test("withToken() throttles failed logins per client address, whatever the port and the id", async () => {
  const { auth, verifications } = await setup();
  for (let i = 0; i < 30; i++) await auth.withToken(`ghost-${i}`, bytes("x"), `203.0.113.7:${40_000 + i}`);
  const before = verifications();
  const throttled = await auth.withToken("dev-1", bytes("token-1"), "203.0.113.7:50000");
  assert.equal(!throttled.ok && throttled.returnCode, 3);
  assert.match(!throttled.ok ? throttled.reason : "", /too many failed logins from 203\.0\.113\.7/);
  assert.equal(verifications(), before);
  assert.equal(
    (await auth.withToken("dev-1", bytes("token-1"), "203.0.113.8:1")).ok,
    true,
    "other addresses",
  );
});

Deno.test("withToken() refuses the old token at once after a rotation the directory does not show yet", async () => {
  const { auth, devices } = await setup();
  assert.equal((await auth.withToken("dev-1", bytes("token-1"))).ok, true);
  const rotated = await hashSecret("token-2", { logN: 10, r: 8, p: 1 });
  auth.forgetDevice("dev-1", { kind: "credentials_rotated", credential: rotated, eventId: "0001" });
  const old = await auth.withToken("dev-1", bytes("token-1"));
  assert.equal(!old.ok && old.returnCode, 4, "the old (remembered) token is still admitted");
  assert.equal((await auth.withToken("dev-1", bytes("token-2"))).ok, true, "the new token is refused");
  devices.set("dev-1", { status: "active", credential: rotated }); // the read model caught up
  assert.equal((await auth.withToken("dev-1", bytes("token-2"))).ok, true);
  assert.equal((await auth.withToken("dev-1", bytes("token-1"))).ok, false);
});

Deno.test("withToken() and withCertificate() refuse a decommissioned device the directory still lists as active", async () => {
  const { auth } = await setup();
  assert.equal((await auth.withToken("dev-1", bytes("token-1"))).ok, true);
  auth.forgetDevice("dev-1", { kind: "decommissioned", eventId: "0001" });
  auth.forgetDevice("dev-cert", { kind: "decommissioned", eventId: "0002" });
  const token = await auth.withToken("dev-1", bytes("token-1"));
  assert.equal(!token.ok && token.returnCode, 5);
  const certificate = await auth.withCertificate("dev-cert", undefined);
  assert.equal(!certificate.ok && certificate.returnCode, 5);
});

/** `setup()` with a directory that can be taken down with a given error. */
async function withOutage() {
  const ctx = await setup();
  const outage: { error?: Error } = {};
  const directory = {
    findDevice: (id: string) =>
      outage.error ? Promise.reject(outage.error) : Promise.resolve(ctx.devices.get(id)),
  };
  const auth = createDeviceAuthenticator(directory, {
    unknownDeviceCredential: ctx.devices.get("dev-1")!.credential!,
    now: () => ctx.clock.t,
    outageGraceMs: 60 * 60_000,
  });
  return { ...ctx, auth, outage };
}

Deno.test("withToken() admits a recently verified token while the directory is down; others get code 3", async () => {
  const { auth, outage, clock } = await withOutage();
  assert.equal((await auth.withToken("dev-1", bytes("token-1"))).ok, true);
  outage.error = new InfrastructureError("PostgreSQL at db:5432 failed: connection refused", {
    retriable: true,
  });
  clock.t += 30 * 60_000;
  assert.equal((await auth.withToken("dev-1", bytes("token-1"))).ok, true, "a device verified 30 min ago");
  for (const [id, token] of [["dev-1", "wrong"], ["dev-2", "token-1"], ["ghost", "token-1"]] as const) {
    const outcome = await auth.withToken(id, bytes(token));
    assert.equal(!outcome.ok && outcome.returnCode, 3, `${id}/${token}`);
  }
  clock.t += 31 * 60_000;
  const stale = await auth.withToken("dev-1", bytes("token-1"));
  assert.equal(!stale.ok && stale.returnCode, 3, "verified longer ago than the grace period");
});

Deno.test("withToken() does not use remembered tokens for a non-retriable directory error or a revoked device", async () => {
  const { auth, outage } = await withOutage();
  assert.equal((await auth.withToken("dev-1", bytes("token-1"))).ok, true);
  outage.error = new TypeError("bug in the directory");
  const bug = await auth.withToken("dev-1", bytes("token-1"));
  assert.equal(!bug.ok && bug.returnCode, 3);
  outage.error = new InfrastructureError("PostgreSQL down", { retriable: true });
  assert.equal((await auth.withToken("dev-1", bytes("token-1"))).ok, true);
  auth.forgetDevice("dev-1", { kind: "decommissioned", eventId: "0001" });
  const revoked = await auth.withToken("dev-1", bytes("token-1"));
  assert.equal(revoked.ok, false, "decommissioned during the outage but admitted");
});
