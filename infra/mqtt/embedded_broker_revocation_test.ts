/**
 * Revocations and directory outages as devices see them: the registry read model the gateway
 * authenticates against may lag behind (or be down), and neither may let a revoked device in or
 * lock a recently verified one out.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { InfrastructureError } from "../../core/errors.ts";
import { hashSecret } from "../auth/secrets.ts";
import type { DeviceDirectory } from "./device_directory.ts";
import {
  connectDevice,
  endClient,
  eventsIn,
  eventually,
  type Gateway,
  startGateway,
  topics,
} from "./_test_support.ts";

const refusedWith = (code: number) => (error: { code?: number }) => error.code === code;

/** A gateway whose directory (the test support's Map) fails with `outage.error` while it is set. */
async function withGateway(run: (gateway: Gateway, outage: { error?: Error }) => Promise<void>) {
  const outage: { error?: Error } = {};
  const directory: DeviceDirectory = {
    findDevice: (id) =>
      outage.error ? Promise.reject(outage.error) : Promise.resolve(gateway.devices.get(id)),
  };
  const gateway = await startGateway({ directory });
  try {
    await run(gateway, outage);
  } finally {
    await gateway.close();
  }
}

Deno.test("a revoked device that reconnects at once is refused while the directory still lists it", () =>
  withGateway(async (gateway) => {
    const [one, two] = [await connectDevice(gateway, "dev-1"), await connectDevice(gateway, "dev-2")];
    gateway.broker.forgetDevice("dev-1", { kind: "decommissioned", eventId: "0001" });
    gateway.broker.disconnectDevice("dev-1", "decommissioned");
    const credential = await hashSecret("new-token", { logN: 10, r: 8, p: 1 });
    gateway.broker.forgetDevice("dev-2", { kind: "credentials_rotated", credential, eventId: "0002" });
    gateway.broker.disconnectDevice("dev-2", "credentials_rotated");
    await eventually(() => gateway.broker.connectedDevices() === 0, "the disconnects");
    await assert.rejects(connectDevice(gateway, "dev-1"), refusedWith(5), "decommissioned, old token");
    await assert.rejects(connectDevice(gateway, "dev-2"), refusedWith(4), "rotated, old token");
    await endClient(await connectDevice(gateway, "dev-2", { password: "new-token" }));
    one.end(true);
    two.end(true);
  }));

Deno.test("with the directory down, a device verified a moment ago reconnects; others get CONNACK 3", () =>
  withGateway(async (gateway, outage) => {
    await endClient(await connectDevice(gateway, "dev-1"));
    outage.error = new InfrastructureError("PostgreSQL at db:5432 failed: connection refused", {
      retriable: true,
    });
    await endClient(await connectDevice(gateway, "dev-1"));
    await assert.rejects(connectDevice(gateway, "dev-2"), refusedWith(3), "never verified here");
    await assert.rejects(connectDevice(gateway, "ghost"), refusedWith(3), "unknown");
    await assert.rejects(
      connectDevice(gateway, "dev-1", { password: "wrong" }),
      refusedWith(3),
      "wrong token",
    );
  }));

const will = (device: string) => ({
  will: {
    topic: `devices/${device}/telemetry`,
    payload: Buffer.from('{"will":1}'),
    qos: 1 as const,
    retain: false,
  },
});
const telemetryOf = async (gateway: Gateway, device: string) =>
  (await eventsIn(gateway.log, topics.telemetry)).filter((e) => e.key === device);

Deno.test("a device the platform disconnects (a revocation) does not get its will ingested; a lost one does", () =>
  withGateway(async (gateway) => {
    const lost = await connectDevice(gateway, "dev-2", will("dev-2"));
    lost.stream.destroy();
    await eventually(
      async () => (await telemetryOf(gateway, "dev-2")).length === 1,
      "the lost device's will",
    );
    const revoked = await connectDevice(gateway, "dev-1", will("dev-1"));
    gateway.broker.disconnectDevice("dev-1", "decommissioned");
    await eventually(() => gateway.broker.connectedDevices() === 0, "the disconnect");
    // A marker after the disconnect: once it is in the log, so would a will sent before it be.
    const marker = await connectDevice(gateway, "dev-1");
    await marker.publishAsync("devices/dev-1/telemetry", '{"marker":1}', { qos: 1 });
    assert.deepEqual(
      (await telemetryOf(gateway, "dev-1")).map((e) =>
        (e.data as { values: { name: string }[] }).values[0]?.name
      ),
      ["marker"],
    );
    revoked.end(true);
    await endClient(marker);
  }));
