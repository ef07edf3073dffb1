import assert from "node:assert/strict";
import { createInMemoryUserStore } from "../testing/in_memory_user_store.ts";
import { ensureAdmin } from "./ensure_admin.ts";

const hashSecret = (secret: string) => Promise.resolve({ algorithm: "test", hash: `hashed:${secret}` });
const generatePassword = () => "generated-password";

Deno.test("ensureAdmin() creates admin with the configured password on first start", async () => {
  const store = createInMemoryUserStore();
  const result = await ensureAdmin(store, { password: "s3cret-pass", hashSecret, generatePassword });
  assert.deepEqual(result, { created: true });
  const admin = await store.getUser("admin");
  assert.equal(admin?.role, "admin");
  assert.deepEqual(admin?.password, { algorithm: "test", hash: "hashed:s3cret-pass" });
});

Deno.test("ensureAdmin() generates a password and returns it once when none is configured", async () => {
  const store = createInMemoryUserStore();
  const result = await ensureAdmin(store, { hashSecret, generatePassword });
  assert.deepEqual(result, { created: true, generatedPassword: "generated-password" });
  assert.deepEqual(await ensureAdmin(store, { hashSecret, generatePassword }), { created: false });
});

Deno.test("ensureAdmin() leaves an installation that has an admin alone", async () => {
  const store = createInMemoryUserStore();
  await ensureAdmin(store, { password: "first-password", hashSecret, generatePassword });
  assert.deepEqual(await ensureAdmin(store, { password: "other-password", hashSecret, generatePassword }), {
    created: false,
  });
  assert.equal((await store.getUser("admin"))?.password.hash, "hashed:first-password");
});
