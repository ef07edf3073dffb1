import assert from "node:assert/strict";
import { createTestApp } from "../_test_app.ts";

Deno.test("JSON routes refuse a body of another content type with 415 naming application/json", async () => {
  const t = await createTestApp();
  const cases: [string, string | undefined][] = [
    ["text/plain", '{"id":"d1"}'],
    ["application/x-www-form-urlencoded", "id=d1"],
    [
      "multipart/form-data; boundary=x",
      '--x\r\nContent-Disposition: form-data; name="id"\r\n\r\nd1\r\n--x--',
    ],
    ["text/plain", undefined],
  ];
  for (const [contentType, body] of cases) {
    const response = await t.app.request("/api/v1/devices", {
      method: "POST",
      headers: { authorization: `Bearer ${t.tokens.operator}`, "content-type": contentType },
      ...(body === undefined ? {} : { body }),
    });
    assert.equal(response.status, 415, contentType);
    const { error } = await response.json();
    assert.equal(error.code, "unsupported_media_type");
    assert.match(error.message, /application\/json/);
  }
  assert.equal(t.appended.length, 0);
});

Deno.test("JSON routes take application/json with parameters and +json types; no body needs no type", async () => {
  const t = await createTestApp();
  const post = (headers: Record<string, string>, body?: string) =>
    t.app.request("/api/v1/devices", {
      method: "POST",
      headers: { authorization: `Bearer ${t.tokens.operator}`, ...headers },
      ...(body === undefined ? {} : { body }),
    });
  assert.equal((await post({ "content-type": "application/json; charset=utf-8" }, '{"id":"a"}')).status, 201);
  assert.equal((await post({ "content-type": "Application/JSON" }, '{"id":"b"}')).status, 201);
  assert.equal((await post({ "content-type": "application/merge-patch+json" }, '{"id":"c"}')).status, 201);
  assert.equal((await post({})).status, 201, "an all-optional body may be left out");
});

Deno.test("a body nested deeper than MAX_BODY_DEPTH is a 400 on any JSON route, not a stack overflow", async () => {
  const t = await createTestApp();
  await t.call("POST", "/api/v1/devices", { as: "operator", body: { id: "d1" } });
  let params: unknown = 1;
  for (let i = 0; i < 5_000; i++) params = { a: params };
  const response = await t.call("POST", "/api/v1/devices/d1/commands", {
    as: "operator",
    body: { name: "reboot", params },
  });
  assert.equal(response.status, 400);
  assert.match((await response.json()).error.message, /nested more than 64 levels/);
});
