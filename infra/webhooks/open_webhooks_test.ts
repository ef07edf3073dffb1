import assert from "node:assert/strict";
import { loadConfig } from "../config/config.ts";
import { openWebhooks } from "./open_webhooks.ts";

Deno.test("openWebhooks() guards URLs by default, at create and at send; the key lives in the data dir", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "aiot-open-webhooks-" });
  const strict = await openWebhooks(loadConfig({ AIOT_DATA_DIR: dataDir }));
  try {
    assert.match((await strict.checkUrl("http://127.0.0.1:8080/hook"))!, /loopback/);
    assert.match((await strict.checkUrl("ftp://example.com/"))!, /http/);
    const outcome = await strict.sender.send({ url: "http://[::1]:9/hook", headers: {}, body: "{}" });
    assert.match((outcome as { error: string }).error, /^refused: .*loopback/);
    const sealed = await strict.secrets.seal("whsec_abc", "e1");
    assert.equal((await Deno.stat(`${dataDir}/secret.key`)).mode! & 0o777, 0o600);
    const again = await openWebhooks(loadConfig({ AIOT_DATA_DIR: dataDir, AIOT_WEBHOOK_ALLOW_PRIVATE: "1" }));
    try {
      assert.equal(await again.secrets.open(sealed, "e1"), "whsec_abc", "the same key after a restart");
      assert.equal(await again.checkUrl("http://127.0.0.1:8080/hook"), undefined);
    } finally {
      await again.close();
    }
  } finally {
    await strict.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
