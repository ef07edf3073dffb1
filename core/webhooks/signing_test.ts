import assert from "node:assert/strict";
import { generateWebhookSecret, signatureHeaders, signWebhook, webhookSecretBytes } from "./signing.ts";

/**
 * The published example vector of Standard Webhooks: the "sign function works" test of the
 * reference JavaScript library, standard-webhooks/standard-webhooks
 * `libraries/javascript/src/webhook.test.ts` (commit 10d3e46d720c4e5861a792bec25792a04ad4e2b3);
 * the Go, Python and Rust libraries of the same repository test the same vector.
 */
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

Deno.test("signWebhook() gives the Standard Webhooks example vector's signature", async () => {
  const { secret, id, timestamp, body } = VECTOR;
  assert.equal(await signWebhook(secret, { id, timestamp, body }), VECTOR.signature);
});

Deno.test("signWebhook() changes with the id, the timestamp, the body and the secret", async () => {
  const { secret, id, timestamp, body } = VECTOR;
  const others = await Promise.all([
    signWebhook(secret, { id: `${id}x`, timestamp, body }),
    signWebhook(secret, { id, timestamp: timestamp + 1, body }),
    signWebhook(secret, { id, timestamp, body: `${body} ` }),
    signWebhook(generateWebhookSecret(), { id, timestamp, body }),
  ]);
  for (const other of others) assert.notEqual(other, VECTOR.signature);
});

Deno.test("signatureHeaders() names the message id and the timestamp as sent", async () => {
  const { secret, id, timestamp, body } = VECTOR;
  assert.deepEqual(await signatureHeaders(secret, { id, timestamp, body }), {
    "webhook-id": id,
    "webhook-timestamp": "1614265330",
    "webhook-signature": VECTOR.signature,
  });
});

Deno.test("generateWebhookSecret() is whsec_ + base64 of 32 random bytes", () => {
  const secret = generateWebhookSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(webhookSecretBytes(secret).length, 32);
  assert.notEqual(generateWebhookSecret(), secret);
});

Deno.test("webhookSecretBytes() refuses what is not base64 without repeating it", () => {
  for (const bad of ["whsec_", "whsec_not base64!", ""]) {
    assert.throws(() => webhookSecretBytes(bad), (error: Error) => {
      assert.ok(error instanceof TypeError);
      assert.ok(!error.message.includes("not base64!"));
      return true;
    });
  }
});
