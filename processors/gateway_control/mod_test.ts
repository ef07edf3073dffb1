import assert from "node:assert/strict";
import { createEvent } from "../../core/events/catalog.ts";
import type { DeviceGateway } from "../../core/gateway/device_gateway.ts";
import type { Revocation } from "../../core/gateway/revocation.ts";
import { gatewayControl } from "./mod.ts";

function recordingGateway() {
  const calls: string[] = [];
  const revocations: [string, Revocation | undefined][] = [];
  const gateway: DeviceGateway = {
    publishToDevice: () => Promise.resolve(),
    isConnected: () => false,
    disconnectDevice: (id, reason) => (calls.push(`disconnect ${id} ${reason}`), 0),
    forgetDevice: (id, revocation) => (calls.push(`forget ${id}`), revocations.push([id, revocation])),
  };
  return { gateway, calls, revocations };
}

const credential = { algorithm: "scrypt" as const, hash: "c2NyeXB0LWhhc2gtb2YtdG9rZW4tMg" };
const ctx = { topic: "aiot.device", partition: 0, offsets: [], signal: new AbortController().signal };

Deno.test("gatewayControl() hands each revocation to the gateway before dropping the device's connections", async () => {
  const { gateway, calls, revocations } = recordingGateway();
  const rotated = createEvent("device.credentials.rotated", { credential }, { key: "dev-1", source: "api" });
  const decommissioned = createEvent("device.decommissioned", {}, { key: "dev-2", source: "api" });
  await gatewayControl(gateway, "aiot.device", "test").handle([rotated, decommissioned], ctx);
  assert.deepEqual(calls, [
    "forget dev-1",
    "disconnect dev-1 credentials_rotated",
    "forget dev-2",
    "disconnect dev-2 decommissioned",
  ]);
  assert.deepEqual(revocations, [
    ["dev-1", { kind: "credentials_rotated", credential, eventId: rotated.id }],
    ["dev-2", { kind: "decommissioned", eventId: decommissioned.id }],
  ]);
});
