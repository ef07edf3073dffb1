import assert from "node:assert/strict";
import { createTestApp, type TestApp } from "../_test_app.ts";

/** A write with the session cookie as a browser sends it; `headers` add Origin, Sec-Fetch-Site, … */
function cookieWrite(
  t: TestApp,
  id: string,
  headers: Record<string, string>,
  contentType = "application/json",
) {
  return t.app.request("http://aiot.example/api/v1/devices", {
    method: "POST",
    headers: { cookie: `aiot_session=${t.tokens.operator}`, "content-type": contentType, ...headers },
    body: JSON.stringify({ id }),
  });
}

Deno.test("a cookie-authenticated write from another origin is 403 and changes nothing", async () => {
  const t = await createTestApp();
  const attacks: [string, Record<string, string>, string?][] = [
    ["text-plain", { origin: "https://evil.example" }, "text/plain"],
    ["json-origin", { origin: "https://evil.example" }],
    ["fetch-site", { origin: "https://evil.example", "sec-fetch-site": "cross-site" }],
    ["same-site", { origin: "https://sub.aiot.example", "sec-fetch-site": "same-site" }],
    ["null-origin", { origin: "null" }],
  ];
  for (const [id, headers, contentType] of attacks) {
    const response = await cookieWrite(t, id, headers, contentType);
    assert.equal(response.status, 403, id);
    const { error } = await response.json();
    assert.equal(error.code, "forbidden", id);
    assert.match(error.message, /^Cross-origin request refused/, id);
  }
  assert.equal(t.appended.length, 0, "no device was registered");
});

Deno.test("cookie-authenticated writes pass from the same origin and from AIOT_CORS_ORIGINS", async () => {
  const t = await createTestApp({ security: { corsOrigins: ["https://ui.example"] } });
  const allowed: [string, Record<string, string>][] = [
    ["fetch-same-origin", { origin: "https://aiot.example", "sec-fetch-site": "same-origin" }],
    ["origin-is-host", { origin: "http://aiot.example" }],
    ["tls-proxy", { origin: "https://aiot.example" }],
    ["cors-origin", { origin: "https://ui.example", "sec-fetch-site": "cross-site" }],
    ["no-browser", {}],
  ];
  for (const [id, headers] of allowed) assert.equal((await cookieWrite(t, id, headers)).status, 201, id);
});

Deno.test("bearer-token writes are not checked for their origin", async () => {
  const t = await createTestApp();
  const response = await t.call("POST", "/api/v1/devices", {
    as: "operator",
    body: { id: "d1" },
    headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
  });
  assert.equal(response.status, 201);
});
