import assert from "node:assert/strict";
import { createTestApp, PASSWORD } from "../_test_app.ts";

const login = (username: string, password: string) => ({ body: { username, password } });

Deno.test("POST /auth/login answers a token and the user, and sets an HttpOnly SameSite=Strict cookie", async () => {
  const t = await createTestApp();
  const response = await t.call("POST", "/api/v1/auth/login", login("operator", PASSWORD));
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.deepEqual(body.user, { username: "operator", role: "operator" });
  assert.equal(typeof body.token, "string");
  const cookie = response.headers.get("set-cookie") ?? "";
  assert.match(cookie, new RegExp(`^aiot_session=${body.token};`));
  for (const part of ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"]) {
    assert.ok(cookie.includes(part), cookie);
  }
  assert.ok(!cookie.includes("Secure"), "plain HTTP: no Secure flag");
});

Deno.test("the session cookie works instead of a bearer token, and is Secure behind TLS", async () => {
  const t = await createTestApp();
  const response = await t.call("POST", "/api/v1/auth/login", {
    ...login("viewer", PASSWORD),
    headers: { "x-forwarded-proto": "https" },
  });
  const cookie = response.headers.get("set-cookie")!;
  assert.ok(cookie.includes("Secure"));
  const me = await t.call("GET", "/api/v1/auth/me", { headers: { cookie: cookie.split(";")[0]! } });
  assert.equal(me.status, 200);
  assert.deepEqual(await me.json(), { actor: "viewer", role: "viewer", kind: "session" });
});

Deno.test("wrong password and unknown user are both 401 with the same message", async () => {
  const t = await createTestApp();
  const wrong = await t.call("POST", "/api/v1/auth/login", login("admin", "not the password"));
  const unknown = await t.call("POST", "/api/v1/auth/login", login("mallory", PASSWORD));
  assert.equal(wrong.status, 401);
  assert.equal(unknown.status, 401);
  assert.deepEqual(await wrong.json(), await unknown.json());
  assert.equal(wrong.headers.get("set-cookie"), null);
});

Deno.test("login attempts from one IPv6 /64 count together, whatever the address in it", async () => {
  const t = await createTestApp();
  for (let i = 0; i < 10; i++) {
    t.client.address = `2001:db8:1:2::${(i + 1).toString(16)}`;
    assert.equal((await t.call("POST", "/api/v1/auth/login", login("admin", "wrong-password"))).status, 401);
  }
  t.client.address = "2001:db8:1:2:aaaa:bbbb:cccc:dddd";
  assert.equal((await t.call("POST", "/api/v1/auth/login", login("admin", PASSWORD))).status, 429);
  t.client.address = "2001:db8:1:3::1"; // another /64
  assert.equal((await t.call("POST", "/api/v1/auth/login", login("admin", PASSWORD))).status, 200);
});

Deno.test("the 11th login attempt in a minute from one address is 429 with Retry-After", async () => {
  const t = await createTestApp();
  for (let i = 0; i < 10; i++) {
    const attempt = i === 4
      ? login("admin", PASSWORD)
      : i === 5
      ? { body: { username: 1 } }
      : login("admin", "wrong-password");
    const response = await t.call("POST", "/api/v1/auth/login", attempt);
    assert.equal(response.status, i === 4 ? 200 : i === 5 ? 400 : 401, `attempt ${i + 1}`);
    t.clock.t += 1_000;
  }
  const refused = await t.call("POST", "/api/v1/auth/login", login("admin", PASSWORD));
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get("retry-after"), "50");
  assert.equal((await refused.json()).error.code, "rate_limited");
  t.client.address = "192.0.2.99";
  assert.equal((await t.call("POST", "/api/v1/auth/login", login("admin", PASSWORD))).status, 200);
  t.client.address = "192.0.2.2";
  t.clock.t += 50_000;
  assert.equal((await t.call("POST", "/api/v1/auth/login", login("admin", PASSWORD))).status, 200);
});

Deno.test("a login body names its bad fields", async () => {
  const t = await createTestApp();
  const response = await t.call("POST", "/api/v1/auth/login", { body: { username: "admin", extra: true } });
  assert.equal(response.status, 400);
  const { error } = await response.json();
  assert.equal(error.code, "validation_failed");
  assert.deepEqual(error.details.map((d: { path: string }) => d.path).sort(), ["extra", "password"]);
});

Deno.test("POST /auth/logout ends the session and clears the cookie", async () => {
  const t = await createTestApp();
  const response = await t.call("POST", "/api/v1/auth/logout", { as: "viewer" });
  assert.equal(response.status, 204);
  assert.match(response.headers.get("set-cookie") ?? "", /aiot_session=;.*Max-Age=0/);
  assert.equal((await t.call("GET", "/api/v1/auth/me", { as: "viewer" })).status, 401);
});

Deno.test("a session expires after 12 hours", async () => {
  const t = await createTestApp();
  t.clock.t += 12 * 3_600_000 - 1;
  assert.equal((await t.call("GET", "/api/v1/auth/me", { as: "viewer" })).status, 200);
  t.clock.t += 1;
  assert.equal((await t.call("GET", "/api/v1/auth/me", { as: "viewer" })).status, 401);
});

Deno.test("garbage credentials are 401, never 500", async () => {
  const t = await createTestApp();
  for (const authorization of ["Bearer nope", "Basic YWRtaW46eA==", "Bearer " + "x".repeat(5000)]) {
    const response = await t.call("GET", "/api/v1/devices", { headers: { authorization } });
    assert.equal(response.status, 401, authorization.slice(0, 20));
  }
  const cookie = await t.call("GET", "/api/v1/devices", { headers: { cookie: "aiot_session=forged" } });
  assert.equal(cookie.status, 401);
});

const change = (currentPassword: unknown, newPassword: unknown) => ({
  body: { currentPassword, newPassword },
});

Deno.test("POST /auth/password changes the caller's password, keeps this session and ends the others", async () => {
  const t = await createTestApp();
  const other =
    (await (await t.call("POST", "/api/v1/auth/login", login("operator", PASSWORD))).json()).token;
  const response = await t.call("POST", "/api/v1/auth/password", {
    as: "operator",
    ...change(PASSWORD, "a brand new passphrase"),
  });
  assert.equal(response.status, 204, await response.text());
  assert.equal(
    (await t.call("GET", "/api/v1/auth/me", { as: "operator" })).status,
    200,
    "this session stays",
  );
  assert.equal((await t.call("GET", "/api/v1/auth/me", { as: other })).status, 401, "the other one ends");
  assert.equal((await t.call("POST", "/api/v1/auth/login", login("operator", PASSWORD))).status, 401);
  const fresh = await t.call("POST", "/api/v1/auth/login", login("operator", "a brand new passphrase"));
  assert.equal(fresh.status, 200);
  assert.equal(
    (await t.call("GET", "/api/v1/auth/me", { as: "viewer" })).status,
    200,
    "other users untouched",
  );
});

Deno.test("POST /auth/password: a wrong current password is 403, a short new one 400 naming it, a token 403", async () => {
  const t = await createTestApp();
  const wrong = await t.call("POST", "/api/v1/auth/password", {
    as: "viewer",
    ...change("not the password", "a brand new passphrase"),
  });
  assert.equal(wrong.status, 403);
  assert.match((await wrong.json()).error.message, /current password is wrong/);
  const short = await t.call("POST", "/api/v1/auth/password", { as: "viewer", ...change(PASSWORD, "short") });
  assert.equal(short.status, 400);
  assert.deepEqual((await short.json()).error.details.map((d: { path: string }) => d.path), ["newPassword"]);
  const missing = await t.call("POST", "/api/v1/auth/password", {
    as: "viewer",
    body: { newPassword: "long enough" },
  });
  assert.deepEqual((await missing.json()).error.details.map((d: { path: string }) => d.path), [
    "currentPassword",
  ]);
  assert.equal(
    (await t.call("POST", "/api/v1/auth/login", login("viewer", PASSWORD))).status,
    200,
    "unchanged",
  );

  const { token } = await (await t.call("POST", "/api/v1/tokens", {
    as: "admin",
    body: { name: "ci", role: "admin" },
  })).json();
  const byToken = await t.call("POST", "/api/v1/auth/password", {
    as: token,
    ...change(PASSWORD, "a brand new passphrase"),
  });
  assert.equal(byToken.status, 403, "an API token has no password");
});

Deno.test("POST /auth/password counts against the login rate limit", async () => {
  const t = await createTestApp();
  for (let i = 0; i < 10; i++) {
    const response = await t.call("POST", "/api/v1/auth/password", {
      as: "viewer",
      ...change(`guess ${i}`, "a brand new passphrase"),
    });
    assert.equal(response.status, 403, `guess ${i + 1}`);
  }
  const refused = await t.call("POST", "/api/v1/auth/password", {
    as: "viewer",
    ...change(PASSWORD, "a brand new passphrase"),
  });
  assert.equal(refused.status, 429);
});
