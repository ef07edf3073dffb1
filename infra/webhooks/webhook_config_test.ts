import assert from "node:assert/strict";
import { loadConfig } from "../config/config.ts";

Deno.test("webhook configuration: defaults, a retry schedule, a key; bad values name the variable only", () => {
  assert.deepEqual(loadConfig({}).webhooks, { allowPrivate: false });
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  assert.deepEqual(
    loadConfig({ AIOT_WEBHOOK_ALLOW_PRIVATE: "1", AIOT_WEBHOOK_RETRY_SECONDS: "1, 1", AIOT_SECRET_KEY: key })
      .webhooks,
    { allowPrivate: true, retrySeconds: [1, 1], secretKey: key },
  );
  assert.ok(loadConfig({}).roles.includes("notify"));
  for (
    const [name, value] of [
      ["AIOT_WEBHOOK_ALLOW_PRIVATE", "yes"],
      ["AIOT_WEBHOOK_RETRY_SECONDS", "5,soon"],
      ["AIOT_SECRET_KEY", "c2hvcnQta2V5"],
    ]
  ) {
    assert.throws(() => loadConfig({ [name!]: value }), (error: Error) => {
      assert.match(error.message, new RegExp(name!));
      assert.ok(!error.message.includes(value!), "the value is never repeated");
      return true;
    });
  }
});
