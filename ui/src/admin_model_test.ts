import assert from "node:assert/strict";
import type { AuditRecord } from "../../core/users/user_store.ts";
import { filterAudit, labelsText, parseLabels } from "./admin_model.ts";

Deno.test("parseLabels() reads key=value pairs by comma or line and round-trips labelsText()", () => {
  assert.deepEqual(parseLabels(" site = north,kind=fridge\nnote=a=b\n\n"), {
    site: "north",
    kind: "fridge",
    note: "a=b",
  });
  assert.deepEqual(parseLabels(""), {});
  assert.deepEqual(parseLabels(labelsText({ a: "1", b: "" })), { a: "1", b: "" });
});

Deno.test("parseLabels() names the pair it cannot read", () => {
  assert.throws(() => parseLabels("site"), /Cannot read label "site": expected key=value/);
  assert.throws(() => parseLabels("=x"), /Cannot read label "=x"/);
  assert.throws(() => parseLabels("a=1, a=2"), /Label "a" is given twice/);
});

Deno.test("filterAudit() combines actor, method, target and failures", () => {
  const record = (actor: string, action: string, target: string, status: number): AuditRecord => ({
    id: `${actor}${action}${target}`,
    at: "2026-01-01T00:00:00.000Z",
    actor,
    action,
    target,
    status,
  });
  const records = [
    record("admin", "POST /api/v1/devices", "/api/v1/devices", 201),
    record("admin", "DELETE /api/v1/devices/{id}", "/api/v1/devices/D1", 200),
    record("token:ci", "DELETE /api/v1/tokens/{name}", "/api/v1/tokens/x", 404),
  ];
  assert.equal(filterAudit(records, {}).length, 3);
  assert.deepEqual(filterAudit(records, { method: "DELETE", target: "d1" }), [records[1]]);
  assert.deepEqual(filterAudit(records, { actor: "token:ci" }), [records[2]]);
  assert.deepEqual(filterAudit(records, { failedOnly: true }), [records[2]]);
  assert.deepEqual(filterAudit(records, { actor: "admin", failedOnly: true }), []);
});
