/**
 * Found by the MQTT fuzz (`infra/fuzz/mqtt_fuzz_test.ts`): connections of one device that share a
 * client id, connect at once and close within milliseconds leave the gateway counting the device
 * as connected, with no socket left and `device.disconnected` missing for some `device.connected`.
 *
 * Cause, in aedes 1.2 `lib/client.js` `close()`: a client that closes between its authentication
 * and its registration calls `broker.unregisterClient(this)` when `broker.clients[id]` holds
 * *any* client, so it deletes the registration of the live client with that id, which then never
 * gets `clientDisconnect`; and a client that closed during its registration still gets
 * `clientReady`.
 */
import assert from "node:assert/strict";
import { connectPacket } from "./_raw_mqtt.ts";
import { eventsIn, startGateway, TOKEN, topics } from "./_test_support.ts";
import { eventually } from "../../core/testing/eventually.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("connections sharing a client id that close at once leave no device counted as connected", async () => {
  const gateway = await startGateway();
  try {
    const port = gateway.broker.mqttPort!;
    // Reproduces within 1-3 rounds without a fix; 30 rounds are a few seconds.
    for (let round = 0; round < 30; round++) {
      await Promise.all(Array.from({ length: 4 }, async (_, i) => {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        await conn.write(connectPacket("same-id", "dev-1", TOKEN));
        await sleep((round * 4 + i) % 7);
        conn.close();
      }));
    }
    for (let i = 0; i < 200 && gateway.broker.isConnected("dev-1"); i++) await sleep(25);
    assert.equal(
      gateway.broker.connectedDevices(),
      0,
      "devices counted as connected with no connection left",
    );
    // Lifecycle events are appended asynchronously (group commit): wait until the last ones land.
    const counts = async () => {
      const events = await eventsIn(gateway.log, topics.device);
      const count = (type: string) => events.filter((e) => e.type === type).length;
      return { connected: count("device.connected"), disconnected: count("device.disconnected") };
    };
    await eventually("the disconnects appended", async () => {
      const { connected, disconnected } = await counts();
      return connected === disconnected;
    }, { timeoutMs: 5_000 }).catch(() => {});
    const { connected, disconnected } = await counts();
    assert.equal(disconnected, connected, "every connect has its disconnect");
  } finally {
    await gateway.close();
  }
});
