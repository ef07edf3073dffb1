import assert from "node:assert/strict";
import { mayPublish, maySubscribe } from "./device_acl.ts";

Deno.test("mayPublish() allows only topics under the device's own prefix", () => {
  assert.equal(mayPublish("dev-1", "devices/dev-1/telemetry"), true);
  assert.equal(mayPublish("dev-1", "devices/dev-1/commands/c1/ack"), true);
  assert.equal(mayPublish("dev-1", "devices/dev-2/telemetry"), false);
  assert.equal(mayPublish("dev-1", "devices/dev-10/telemetry"), false);
  assert.equal(mayPublish("dev-1", "devices/dev-1"), false);
  assert.equal(mayPublish("dev-1", "$SYS/broker/x"), false);
  assert.equal(mayPublish("dev-1", "other/devices/dev-1/telemetry"), false);
});

Deno.test("maySubscribe() allows wildcards only after the device's own prefix", () => {
  assert.equal(maySubscribe("dev-1", "devices/dev-1/#"), true);
  assert.equal(maySubscribe("dev-1", "devices/dev-1/commands/+"), true);
  assert.equal(maySubscribe("dev-1", "devices/dev-1/errors"), true);
  assert.equal(maySubscribe("dev-1", "devices/+/errors"), false);
  assert.equal(maySubscribe("dev-1", "devices/#"), false);
  assert.equal(maySubscribe("dev-1", "#"), false);
  assert.equal(maySubscribe("dev-1", "$SYS/#"), false);
  assert.equal(maySubscribe("dev-1", "devices/dev-2/#"), false);
  assert.equal(maySubscribe("dev-1", "devices/dev-1/a#"), false);
  assert.equal(maySubscribe("dev-1", "devices/dev-1/#/x"), false);
});

Deno.test("mayPublish() and maySubscribe() refuse control characters (MQTT forbids NUL in topics)", () => {
  for (
    const topic of ["devices/dev-1/telemetry\u0000", "devices/dev-1/te\u0001lemetry", "devices/dev-1/x\u007f"]
  ) {
    assert.equal(mayPublish("dev-1", topic), false, JSON.stringify(topic));
    assert.equal(maySubscribe("dev-1", topic), false, JSON.stringify(topic));
  }
  assert.equal(mayPublish("dev-1", "devices/dev-1/ünïcode"), true);
});
