import assert from "node:assert/strict";
import { topicFor, topicNames } from "./topics.ts";

Deno.test("topicNames() names one topic per family with the aiot. prefix by default", () => {
  assert.deepEqual(topicNames(), {
    telemetry: "aiot.telemetry",
    device: "aiot.device",
    command: "aiot.command",
    ota: "aiot.ota",
    alert: "aiot.alert",
    dlq: "aiot.dlq",
  });
  assert.equal(topicNames("site-b.").dlq, "site-b.dlq");
  assert.equal(topicNames("").ota, "ota");
});

Deno.test("topicFor() routes each event type to its family's topic", () => {
  assert.equal(topicFor("telemetry.reported"), "aiot.telemetry");
  assert.equal(topicFor("device.state.desired"), "aiot.device");
  assert.equal(topicFor("command.acked"), "aiot.command");
  assert.equal(topicFor("firmware.published"), "aiot.ota");
  assert.equal(topicFor("rule.defined", "test_1."), "test_1.alert");
  assert.equal(topicFor("input.rejected"), "aiot.dlq");
});

Deno.test("topicFor() and topicNames() reject unknown types and invalid prefixes", () => {
  assert.throws(() => topicFor("device.exploded" as never), RangeError);
  assert.throws(() => topicFor("toString" as never), RangeError);
  assert.throws(() => topicNames("aiot/"), RangeError);
  assert.throws(() => topicFor("command.acked", "a b."), RangeError);
});
