/** MQTT over WebSocket through `Deno.serve` and `handleWebSocket`, with npm:mqtt's ws:// client. */
import assert from "node:assert/strict";
import { connect, endClient, eventsIn, eventually, startGateway, TOKEN, topics } from "./_test_support.ts";

Deno.test("a device over ws:// publishes into the log and receives downlinks", async () => {
  const gateway = await startGateway({ mqttPort: null });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request, info) => gateway.broker.handleWebSocket(request, info),
  );
  try {
    const client = await connect(`ws://127.0.0.1:${server.addr.port}/mqtt`, {
      clientId: "dev-1",
      username: "dev-1",
      password: TOKEN,
    });
    await client.subscribeAsync("devices/dev-1/commands/+", { qos: 1 });
    const command = new Promise<string>((resolve) =>
      client.once("message", (_t, payload) => resolve(String(payload)))
    );
    for (let seq = 0; seq < 100; seq++) {
      await client.publishAsync("devices/dev-1/telemetry", JSON.stringify({ seq }), { qos: 1 });
    }
    await gateway.broker.publishToDevice("dev-1", "commands/c-9", { name: "reboot" }, 1);
    assert.deepEqual(JSON.parse(await command), { name: "reboot" });
    assert.equal((await eventsIn(gateway.log, topics.telemetry)).length, 100);
    await endClient(client);
    await eventually(() => gateway.broker.connectedDevices() === 0, "the disconnect");
    const [connected] = await eventsIn(gateway.log, topics.device);
    assert.equal((connected?.data as { protocol: string }).protocol, "ws");
  } finally {
    await server.shutdown();
    await gateway.close();
  }
});

Deno.test("handleWebSocket() answers 426 to a plain HTTP request", async () => {
  const gateway = await startGateway({ mqttPort: null });
  try {
    const response = gateway.broker.handleWebSocket(new Request("http://localhost/mqtt"));
    assert.equal(response.status, 426);
    await response.body?.cancel();
  } finally {
    await gateway.close();
  }
});
