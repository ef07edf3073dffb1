/**
 * `api/main.ts` as a real server over the embedded engines (a temp data dir): first start creates
 * the admin, a login over a socket gives a working token, and the rate limit counts the socket's
 * address.
 */
import assert from "node:assert/strict";
import { freePort } from "../infra/dev/free_port.ts";

/** Runs `api/main.ts` with only `env`; `stop()` ends it (unless it died) and returns its stderr. */
function spawnApi(env: Record<string, string>): { exited(): boolean; stop(): Promise<string> } {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./main.ts", import.meta.url).pathname],
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "",
      DENO_DIR: Deno.env.get("DENO_DIR") ?? "",
      ...env,
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // Read from the start, so that a server that dies can still say why.
  const stderr = new Response(child.stderr).text();
  let exited = false;
  const status = child.status.finally(() => {
    exited = true;
  });
  return {
    exited: () => exited,
    async stop() {
      // kill() throws once the child has exited, which would hide the reason it did.
      if (!exited) child.kill("SIGTERM");
      await status;
      return await stderr;
    },
  };
}

Deno.test("api/main.ts serves the API: admin from AIOT_ADMIN_PASSWORD, login, devices, 429 per socket address", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "aiot-api-" });
  const port = freePort();
  const server = spawnApi({
    AIOT_DATA_DIR: dataDir,
    AIOT_HTTP_HOST: "127.0.0.1",
    AIOT_HTTP_PORT: String(port),
    AIOT_ADMIN_PASSWORD: "first-start-secret",
  });
  const base = `http://127.0.0.1:${port}`;
  const post = (path: string, body: unknown, token?: string) =>
    fetch(base + path, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  let failure: unknown;
  try {
    let up = false;
    for (let i = 0; i < 1200 && !up && !server.exited(); i++) { // up to 60 s: a fresh clone builds the UI first
      up = await fetch(`${base}/healthz`).then(async (r) => {
        await r.body?.cancel();
        return r.ok;
      }, () => false);
      if (!up) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(up, server.exited() ? "the server exited before it answered /healthz" : "the server came up");
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
  } catch (error) {
    failure = error;
  }
  const stderr = await server.stop();
  await Deno.remove(dataDir, { recursive: true });
  if (failure) {
    const reason = failure instanceof Error ? failure.message : String(failure);
    throw new Error(`${reason}\n--- api/main.ts stderr ---\n${stderr}`, { cause: failure });
  }
  assert.ok(!stderr.includes("unhandled error"), stderr);
});
