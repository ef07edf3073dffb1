import assert from "node:assert/strict";
import { createTestApp } from "../_test_app.ts";

Deno.test("admins create, list and delete users; the new user can log in", async () => {
  const t = await createTestApp();
  const created = await t.call("POST", "/api/v1/users", {
    as: "admin",
    body: { username: "ann", password: "s3cret-pass", role: "operator" },
  });
  assert.equal(created.status, 201);
  assert.deepEqual(await created.json(), {
    username: "ann",
    role: "operator",
    createdAt: "2025-01-01T00:00:00.000Z",
  });
  const login = await t.call("POST", "/api/v1/auth/login", {
    body: { username: "ann", password: "s3cret-pass" },
  });
  assert.equal(login.status, 200);
  const list = await (await t.call("GET", "/api/v1/users", { as: "admin" })).json();
  assert.deepEqual(list.items.map((u: { username: string }) => u.username), [
    "admin",
    "ann",
    "operator",
    "viewer",
  ]);
  assert.ok(!JSON.stringify(list).includes("password"), "no password hashes in the listing");
  assert.equal((await t.call("DELETE", "/api/v1/users/ann", { as: "admin" })).status, 204);
  const session = (await login.json()).token;
  assert.equal(
    (await t.call("GET", "/api/v1/auth/me", { as: session })).status,
    401,
    "sessions end with the user",
  );
  assert.equal((await t.call("DELETE", "/api/v1/users/ann", { as: "admin" })).status, 404);
});

Deno.test("user bodies name the bad field: short password, unknown role, duplicate name", async () => {
  const t = await createTestApp();
  const cases: [unknown, number, string][] = [
    [{ username: "bob", password: "short", role: "viewer" }, 400, "password"],
    [{ username: "bob", password: "long enough", role: "root" }, 400, "role"],
    [{ username: "b:ob", password: "long enough", role: "viewer" }, 400, "username"],
    [{ username: "bob", password: 12345678, role: "viewer" }, 400, "password"],
    [{ username: "viewer", password: "long enough", role: "viewer" }, 409, ""],
  ];
  for (const [body, status, path] of cases) {
    const response = await t.call("POST", "/api/v1/users", { as: "admin", body });
    assert.equal(response.status, status, JSON.stringify(body));
    const { error } = await response.json();
    if (status === 400) assert.deepEqual(error.details.map((d: { path: string }) => d.path), [path]);
  }
});

Deno.test("the last admin cannot be deleted", async () => {
  const t = await createTestApp();
  const response = await t.call("DELETE", "/api/v1/users/admin", { as: "admin" });
  assert.equal(response.status, 409);
  assert.equal((await response.json()).error.code, "conflict");
});

Deno.test("API tokens: shown once, listed without secrets, act with their role, revocable", async () => {
  const t = await createTestApp();
  const created = await t.call("POST", "/api/v1/tokens", {
    as: "admin",
    body: { name: "ci", role: "operator" },
  });
  assert.equal(created.status, 201);
  const { token, name, role } = await created.json();
  assert.deepEqual([name, role], ["ci", "operator"]);
  const list = await (await t.call("GET", "/api/v1/tokens", { as: "admin" })).json();
  assert.deepEqual(list.items, [{
    name: "ci",
    role: "operator",
    createdAt: "2025-01-01T00:00:00.000Z",
    createdBy: "admin",
  }]);
  assert.ok(!JSON.stringify(list).includes(token));
  assert.equal((await t.call("POST", "/api/v1/devices", { as: token, body: { id: "d9" } })).status, 201);
  assert.equal(
    (await t.call("GET", "/api/v1/users", { as: token })).status,
    403,
    "an operator token may not manage",
  );
  const device = await (await t.call("GET", "/api/v1/devices/d9", { as: token })).json();
  assert.equal(device.id, "d9");
  assert.equal(t.appended[0]?.data && (t.appended[0].data as { by?: string }).by, "token:ci");
  assert.equal(
    (await t.call("POST", "/api/v1/tokens", { as: "admin", body: { name: "ci", role: "viewer" } })).status,
    409,
  );
  assert.equal((await t.call("DELETE", "/api/v1/tokens/ci", { as: "admin" })).status, 204);
  assert.equal((await t.call("GET", "/api/v1/devices", { as: token })).status, 401, "revoked");
  assert.equal((await t.call("DELETE", "/api/v1/tokens/ci", { as: "admin" })).status, 404);
});

Deno.test("every mutating call is audited with who, what, when, target and status", async () => {
  const t = await createTestApp();
  await t.call("POST", "/api/v1/devices", { as: "operator", body: { id: "d1" } });
  t.clock.t += 1_000;
  await t.call("DELETE", "/api/v1/users/admin", { as: "admin" });
  await t.call("POST", "/api/v1/devices", { as: "viewer", body: { id: "d2" } });
  await t.call("GET", "/api/v1/devices", { as: "viewer" });
  const page = await (await t.call("GET", "/api/v1/audit?limit=3", { as: "admin" })).json();
  assert.deepEqual(page.items.map((r: Record<string, unknown>) => [r.actor, r.action, r.target, r.status]), [
    ["viewer", "POST /api/v1/devices", "/api/v1/devices", 403],
    ["admin", "DELETE /api/v1/users/{name}", "/api/v1/users/admin", 409],
    ["operator", "POST /api/v1/devices", "/api/v1/devices", 201],
  ]);
  assert.equal(page.items[1].at, "2025-01-01T00:00:01.000Z");
  const rest = await (await t.call("GET", `/api/v1/audit?cursor=${page.next}`, { as: "admin" })).json();
  assert.deepEqual(
    rest.items.map((r: { actor: string }) => r.actor),
    ["admin", "operator", "viewer"],
    "the setup logins",
  );
  assert.equal(rest.items[0].action, "POST /api/v1/auth/login");
  assert.equal((await t.call("GET", "/api/v1/audit?cursor=!!", { as: "admin" })).status, 400);
  assert.equal((await t.call("GET", "/api/v1/audit?limit=0", { as: "admin" })).status, 400);
});

Deno.test("an admin resets a user's password: the old one stops working and the user's sessions end", async () => {
  const t = await createTestApp();
  const reset = await t.call("POST", "/api/v1/users/viewer/password", {
    as: "admin",
    body: { password: "chosen by the admin" },
  });
  assert.equal(reset.status, 204, await reset.text());
  assert.equal((await t.call("GET", "/api/v1/auth/me", { as: "viewer" })).status, 401, "sessions ended");
  const login = (password: string) =>
    t.call("POST", "/api/v1/auth/login", { body: { username: "viewer", password } });
  assert.equal((await login("correct horse battery")).status, 401);
  assert.equal((await login("chosen by the admin")).status, 200);

  const short = await t.call("POST", "/api/v1/users/viewer/password", {
    as: "admin",
    body: { password: "x" },
  });
  assert.equal(short.status, 400);
  assert.deepEqual((await short.json()).error.details.map((d: { path: string }) => d.path), ["password"]);
  const unknown = await t.call("POST", "/api/v1/users/nobody/password", {
    as: "admin",
    body: { password: "long enough" },
  });
  assert.equal(unknown.status, 404);
});

Deno.test("deleting a user revokes the API tokens it created", async () => {
  const t = await createTestApp();
  const ann = { username: "ann", password: "ann's password", role: "admin" };
  assert.equal((await t.call("POST", "/api/v1/users", { as: "admin", body: ann })).status, 201);
  const session = (await (await t.call("POST", "/api/v1/auth/login", {
    body: { username: ann.username, password: ann.password },
  })).json()).token;
  const { token } = await (await t.call("POST", "/api/v1/tokens", {
    as: session,
    body: { name: "ann-ci", role: "admin" },
  })).json();
  const kept = await (await t.call("POST", "/api/v1/tokens", {
    as: "admin",
    body: { name: "admin-ci", role: "viewer" },
  })).json();
  assert.equal((await t.call("GET", "/api/v1/users", { as: token })).status, 200);
  assert.equal((await t.call("DELETE", "/api/v1/users/ann", { as: "admin" })).status, 204);
  assert.equal((await t.call("GET", "/api/v1/users", { as: token })).status, 401, "revoked with its creator");
  assert.equal((await t.call("GET", "/api/v1/auth/me", { as: kept.token })).status, 200);
});
