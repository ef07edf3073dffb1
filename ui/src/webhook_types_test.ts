import assert from "node:assert/strict";
import { typeFamilies, WEBHOOK_EVENT_TYPES } from "./webhook_types.ts";

// That the list equals the server's (core/webhooks/payload.ts) is checked in the browser by
// infra/all_in_one/ui_alerts_e2e_test.ts: ui may not import that module.
Deno.test("WEBHOOK_EVENT_TYPES leave out the dead-letter family only", () => {
  assert.ok(WEBHOOK_EVENT_TYPES.includes("alert.raised"));
  assert.ok(WEBHOOK_EVENT_TYPES.includes("telemetry.reported"));
  assert.ok(!WEBHOOK_EVENT_TYPES.includes("input.rejected"));
});

Deno.test("typeFamilies() groups types by their first segment, in order", () => {
  assert.deepEqual(typeFamilies(["a.x", "b.y", "a.z"]), [["a", ["a.x", "a.z"]], ["b", ["b.y"]]]);
});
