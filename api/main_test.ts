/**
 * `api/main.ts` as a real server over the embedded engines (a temp data dir): first start creates
 * the admin, a login over a socket gives a working token, and the rate limit counts the socket's
 * address.
 */
import assert from "node:assert/strict";
import { freePort } from "../infra/dev/free_port.ts";

Deno.test("api/main.ts serves the API: admin from AIOT_ADMIN_PASSWORD, login, devices, 429 per socket address", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "aiot-api-" });
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./main.ts", import.meta.url).pathname],
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "",
      DENO_DIR: Deno.env.get("DENO_DIR") ?? "",
      AIOT_DATA_DIR: dataDir,
      AIOT_HTTP_HOST: "127.0.0.1",
      AIOT_HTTP_PORT: String(port),
      AIOT_ADMIN_PASSWORD: "first-start-secret",
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const base = `http://127.0.0.1:${port}`;
  const post = (path: string, body: unknown, token?: string) =>
    fetch(base + path, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  try {
    let up = false;
    for (let i = 0; i < 300 && !up; i++) {
      up = await fetch(`${base}/healthz`).then(async (r) => {
        await r.body?.cancel();
        return r.ok;
      }, () => false);
      if (!up) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(up, "the server came up");
    const login = await post("/api/v1/auth/login", { username: "admin", password: "first-start-secret" });
    assert.equal(login.status, 200);
    const { token, user } = await login.json();
    assert.deepEqual(user, { username: "admin", role: "admin" });
    const created = await post("/api/v1/devices", { id: "d1", labels: { site: "lab" } }, token);
    assert.equal(created.status, 201);
    assert.equal((await created.json()).id, "d1");
    const users = await fetch(`${base}/api/v1/users`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(users.status, 200);
    assert.equal(users.headers.get("x-frame-options"), "DENY");
    await users.body?.cancel();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const attempt = await post("/api/v1/auth/login", { username: "admin", password: "wrong-password" });
      statuses.push(attempt.status);
      if (attempt.status === 429) assert.ok(Number(attempt.headers.get("retry-after")) > 0);
      await attempt.body?.cancel();
    }
    assert.deepEqual(statuses, [...Array(9).fill(401), 429], "the 11th attempt from this address");
  } finally {
    child.kill("SIGTERM");
    const stderr = new TextDecoder().decode((await child.output()).stderr);
    await Deno.remove(dataDir, { recursive: true });
    assert.ok(!stderr.includes("unhandled error"), stderr);
  }
});
