/**
 * NUL and other control characters at the API edge. PostgreSQL cannot store U+0000 in text
 * (SQLSTATE 22021), so an event carrying one was accepted here, then refused by the projection:
 * the caller got a 201 and a token for a device that never appeared. Names, models and label
 * values refuse every C0 control character. JSON documents (state, command parameters) keep
 * theirs: they are stored as JSON text, where a NUL is the escape `\u0000`.
 */
import assert from "node:assert/strict";
import { createTestApp } from "../_test_app.ts";

Deno.test("control characters in device fields are a 400 naming the field, before anything is appended", async () => {
  const t = await createTestApp();
  await t.call("POST", "/api/v1/devices", { as: "operator", body: { id: "d1" } });
  const appended = t.appended.length;
  const cases: [string, string, unknown, string][] = [
    ["POST", "/api/v1/devices", { id: "d2", name: "pump\u0000" }, "name"],
    ["POST", "/api/v1/devices", { id: "d2", name: "two\nlines" }, "name"],
    ["POST", "/api/v1/devices", { id: "d2", model: "m\u0007" }, "model"],
    ["POST", "/api/v1/devices", { id: "d2", labels: { site: "par\u0000is" } }, "labels.site"],
    ["POST", "/api/v1/devices", { id: "d2", labels: { site: "tab\there" } }, "labels.site"],
    ["POST", "/api/v1/devices", { id: "d2", name: "del\u007f" }, "name"],
    ["PATCH", "/api/v1/devices/d1", { name: "\u0000" }, "name"],
    ["PATCH", "/api/v1/devices/d1", { labels: { site: "\u001f" } }, "labels.site"],
  ];
  for (const [method, path, body, field] of cases) {
    const response = await t.call(method, path, { as: "operator", body });
    const label = `${method} ${path} ${JSON.stringify(body)}`;
    assert.equal(response.status, 400, label);
    const { error } = await response.json();
    assert.equal(error.code, "validation_failed", label);
    assert.deepEqual(error.details.map((d: { path: string }) => d.path), [field], label);
  }
  assert.equal(t.appended.length, appended, "nothing was appended");
});

Deno.test("ordinary text still passes: accents, symbols, and control characters inside JSON documents", async () => {
  const t = await createTestApp();
  const created = await t.call("POST", "/api/v1/devices", {
    as: "operator",
    body: { id: "d1", name: "Chaudière ☃ n°1", model: "X-100 (rev. b)", labels: { site: "Zürich" } },
  });
  assert.equal(created.status, 201);
  const desired = await t.call("PATCH", "/api/v1/devices/d1/state/desired", {
    as: "operator",
    body: { note: "line one\nline two\ttabbed", raw: "\u0000" },
  });
  assert.equal(desired.status, 202);
});
