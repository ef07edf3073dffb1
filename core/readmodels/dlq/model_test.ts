import assert from "node:assert/strict";
import { eventClock } from "../../testing/read_model_fixtures.ts";
import { dlqRowOf } from "./model.ts";

Deno.test("dlqRowOf() says when the payload is only the first bytes of a longer one, with its size and sha256", () => {
  const sha256 = "ab".repeat(32);
  const event = eventClock().event("input.rejected", "d1", {
    topic: "devices/d1/telemetry",
    reason: "payload is 1048576 bytes, limit 262144",
    payloadBase64: "e30=",
    payloadTruncated: { bytes: 1_048_576, sha256 },
    deviceId: "d1",
  });
  assert.ok(event.type === "input.rejected");
  const row = dlqRowOf(event);
  assert.equal(
    row.reason,
    `payload is 1048576 bytes, limit 262144 (payload: the first 2 of 1048576 bytes, sha256 ${sha256})`,
  );
  assert.equal(row.payload, "e30=");
});
