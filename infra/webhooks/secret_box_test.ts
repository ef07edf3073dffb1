import assert from "node:assert/strict";
import { createSecretBox, decodeSecretKey, loadSecretKey } from "./secret_box.ts";

const key = () => crypto.getRandomValues(new Uint8Array(32));

Deno.test("a sealed secret opens with the same key and context only, and hides the plaintext", async () => {
  const box = await createSecretBox(key());
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const sealed = await box.seal(secret, "endpoint-1");
  assert.ok(!sealed.includes("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  assert.notEqual(await box.seal(secret, "endpoint-1"), sealed, "a fresh IV each time");
  assert.equal(await box.open(sealed, "endpoint-1"), secret);
  await assert.rejects(box.open(sealed, "endpoint-2"), TypeError);
  await assert.rejects((await createSecretBox(key())).open(sealed, "endpoint-1"), TypeError);
  await assert.rejects(box.open("garbage", "endpoint-1"), TypeError);
});

Deno.test("loadSecretKey() creates secret.key once (mode 0600) and reads it back", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "aiot-secret-key-" });
  try {
    const [first, second] = await Promise.all([loadSecretKey({ dataDir }), loadSecretKey({ dataDir })]);
    assert.deepEqual(first, second, "processes starting together agree on the key");
    assert.deepEqual(await loadSecretKey({ dataDir }), first);
    assert.equal((await Deno.stat(`${dataDir}/secret.key`)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("loadSecretKey() prefers AIOT_SECRET_KEY and refuses a bad one without quoting it", async () => {
  const raw = key();
  const envKey = btoa(String.fromCharCode(...raw));
  assert.deepEqual(await loadSecretKey({ dataDir: "/nonexistent-never-used", envKey }), raw);
  assert.throws(() => decodeSecretKey("c2hvcnQ=", "AIOT_SECRET_KEY"), /32 bytes/);
  assert.throws(() => decodeSecretKey("%%%", "AIOT_SECRET_KEY"), (e: Error) => !e.message.includes("%%%"));
});
