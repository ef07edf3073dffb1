import assert from "node:assert/strict";
import { countReasons, payloadPreview, reasonKind } from "./dlq_model.ts";

Deno.test("reasonKind() keeps the kind of a reason and blanks its specifics", () => {
  assert.equal(
    reasonKind("invalid JSON: Unexpected token 'o', \"not json{\" is not valid JSON"),
    "invalid JSON",
  );
  assert.equal(reasonKind("payload is 300 bytes, limit 256"), "payload is # bytes, limit #");
  assert.equal(reasonKind('unknown topic "devices/d1/x"'), 'unknown topic "…"');
  assert.equal(reasonKind("telemetry: no metric values"), "telemetry");
  assert.equal(reasonKind(": odd"), ": odd");
});

Deno.test("countReasons() counts by kind, most frequent first", () => {
  const items = [
    "invalid JSON: Unexpected end of JSON input",
    "telemetry: empty array",
    "invalid JSON: Unexpected token",
    "payload is 9 bytes, limit 8",
    "payload is 12 bytes, limit 8",
    "invalid JSON: x",
  ].map((reason) => ({ reason }));
  assert.deepEqual(countReasons(items), [
    { kind: "invalid JSON", count: 3 },
    { kind: "payload is # bytes, limit #", count: 2 },
    { kind: "telemetry", count: 1 },
  ]);
  assert.deepEqual(countReasons([]), []);
});

Deno.test("payloadPreview() shows UTF-8 text shortened, binary by its size", () => {
  assert.equal(payloadPreview(btoa("not json{")), "not json{");
  assert.equal(payloadPreview(btoa("abcdef"), 3), "abc…");
  assert.equal(payloadPreview(btoa("\xff\xfe\x00")), "(3 bytes of binary)");
});
