import assert from "node:assert/strict";
import { freePort } from "../dev/free_port.ts";

Deno.test("all-in-one serves /healthz with embedded engines and exits 0 on SIGINT", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "aiot-allinone-" });
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", new URL("./main.ts", import.meta.url).pathname],
    env: {
      AIOT_DATA_DIR: dataDir,
      AIOT_HTTP_PORT: String(port),
      AIOT_HTTP_HOST: "127.0.0.1",
      AIOT_MQTT_PORT: "0",
      AIOT_MQTT_HOST: "127.0.0.1",
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const started = Date.now();
  let health: Response | undefined;
  while (Date.now() - started < 10_000) {
    health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    if (health) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(health, "healthz answered within 10 s");
  assert.equal(health.status, 200);
  await health.body?.cancel();
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  assert.equal(ready.status, 200);
  await ready.body?.cancel();

  const stopAt = Date.now();
  child.kill("SIGINT");
  const status = await child.status;
  const stderr = new TextDecoder().decode((await child.stderr.getReader().read()).value ?? new Uint8Array());
  assert.equal(status.code, 0, stderr);
  assert.ok(Date.now() - stopAt < 5000, "exited within 5 s");
  assert.ok((await Deno.stat(`${dataDir}/log.db`)).isFile, "log database under AIOT_DATA_DIR");
});
