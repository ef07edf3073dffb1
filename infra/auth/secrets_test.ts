import assert from "node:assert/strict";
import { generateToken, hashSecret, verifySecret } from "./secrets.ts";

Deno.test("hashSecret() stores no trace of the token and verifySecret() accepts only the token", async () => {
  const token = generateToken();
  assert.equal(token.length, 43);
  const stored = await hashSecret(token);
  assert.equal(stored.algorithm, "scrypt");
  assert.ok(!stored.hash.includes(token));
  assert.match(stored.hash, /^scrypt\$14\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.equal(await verifySecret(token, stored), true);
  assert.equal(await verifySecret(token + "x", stored), false);
  assert.equal(await verifySecret("", stored), false);
});

Deno.test("two hashes of one token differ (random salt) and both verify", async () => {
  const a = await hashSecret("same-token");
  const b = await hashSecret("same-token");
  assert.notEqual(a.hash, b.hash);
  assert.ok(await verifySecret("same-token", a) && await verifySecret("same-token", b));
});

Deno.test("verifySecret() refuses malformed and foreign hashes without throwing", async () => {
  for (const hash of ["", "scrypt$", "scrypt$99$8$1$c2FsdA==$aGFzaA==", "bcrypt$x", "scrypt$14$8$1$$"]) {
    assert.equal(await verifySecret("t", { algorithm: "scrypt", hash }), false, hash);
  }
  assert.equal(await verifySecret("t", { algorithm: "sha256", hash: "abc" }), false);
});
