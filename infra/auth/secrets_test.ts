import assert from "node:assert/strict";
import {
  generateToken,
  hashPassword,
  hashSecret,
  PASSWORD_COST,
  TOKEN_COST,
  verifySecret,
} from "./secrets.ts";

Deno.test("hashSecret() stores no trace of the token and verifySecret() accepts only the token", async () => {
  const token = generateToken();
  assert.equal(token.length, 43);
  const stored = await hashSecret(token);
  assert.equal(stored.algorithm, "scrypt");
  assert.ok(!stored.hash.includes(token));
  assert.match(stored.hash, /^scrypt\$10\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
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

Deno.test("hashPassword() costs what OWASP asks of scrypt (N=2^15, r=8, p=3) and older hashes still verify", async () => {
  const stored = await hashPassword("correct horse battery");
  assert.match(stored.hash, /^scrypt\$15\$8\$3\$/);
  assert.equal(await verifySecret("correct horse battery", stored), true);
  assert.equal(await verifySecret("correct horse batterY", stored), false);
  // A password hashed before the cost was raised (logN 14, p 1) keeps working: the cost is in the hash.
  const older = await hashSecret("correct horse battery", { logN: 14, r: 8, p: 1 });
  assert.match(older.hash, /^scrypt\$14\$8\$1\$/);
  assert.equal(await verifySecret("correct horse battery", older), true);
});

Deno.test("PASSWORD_COST is one of OWASP's scrypt settings and needs 32 MiB per hash, not 128", () => {
  assert.deepEqual(PASSWORD_COST, { logN: 15, r: 8, p: 3 });
  assert.equal(128 * 2 ** PASSWORD_COST.logN * PASSWORD_COST.r, 32 * 1024 * 1024);
});

Deno.test("device tokens hash with 1 MiB scrypt runs, and tokens hashed at the old 16 MiB cost still verify", async () => {
  assert.equal(128 * 2 ** TOKEN_COST.logN * TOKEN_COST.r, 1024 * 1024);
  const token = generateToken();
  const stored = await hashSecret(token);
  assert.match(stored.hash, /^scrypt\$10\$8\$1\$/);
  assert.equal(await verifySecret(token, stored), true);
  const older = await hashSecret(token, { logN: 14, r: 8, p: 1 });
  assert.equal(await verifySecret(token, older), true);
  assert.equal(await verifySecret(generateToken(), older), false);
});
