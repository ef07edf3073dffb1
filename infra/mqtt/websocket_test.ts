/** MQTT over WebSocket through `Deno.serve` and `handleWebSocket`, with npm:mqtt's ws:// client. */
import assert from "node:assert/strict";
import { connect, endClient, eventsIn, eventually, startGateway, TOKEN, topics } from "./_test_support.ts";
import { fixedHeader, within } from "./_raw_mqtt.ts";
import type { EmbeddedBrokerOptions } from "./embedded_broker.ts";

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

/** A gateway serving only `/mqtt` over WebSocket, with `limits`. */
async function withWebSocketGateway(
  limits: EmbeddedBrokerOptions["limits"],
  run: (url: string) => Promise<void>,
): Promise<void> {
  // A CONNECT timeout far beyond the waits below: a close within them is the limit under test.
  const gateway = await startGateway({ mqttPort: null, limits: { connectTimeoutMs: 120_000, ...limits } });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request, info) => gateway.broker.handleWebSocket(request, info),
  );
  try {
    await run(`ws://127.0.0.1:${server.addr.port}/mqtt`);
  } finally {
    await server.shutdown();
    await gateway.close();
  }
}

/** Opens a raw WebSocket: "open", or "refused" when it closes first. */
function openWebSocket(url: string): Promise<[string, WebSocket]> {
  const socket = new WebSocket(url, "mqtt");
  socket.binaryType = "arraybuffer";
  return new Promise((resolve) => {
    socket.onopen = () => resolve(["open", socket]);
    socket.onclose = () => resolve(["refused", socket]);
    socket.onerror = () => {};
  });
}

const closeOf = (socket: WebSocket) =>
  new Promise<number>((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) resolve(-1);
    socket.addEventListener("close", (event) => resolve(event.code));
  });

Deno.test("over ws://, the connection over the per-address cap is refused", () =>
  withWebSocketGateway({ maxConnectionsPerAddress: 1 }, async (url) => {
    const device = await connect(url, { clientId: "dev-1", username: "dev-1", password: TOKEN });
    const [outcome, socket] = await openWebSocket(url);
    if (outcome === "open") socket.close();
    assert.equal(outcome, "refused");
    await endClient(device);
  }));

Deno.test("over ws://, a 200 MB CONNECT header closes the connection (1009), a device's oversized publish too", () =>
  withWebSocketGateway({ maxPacketBytes: 300 * 1024 }, async (url) => {
    const [outcome, socket] = await openWebSocket(url);
    assert.equal(outcome, "open");
    const closed = closeOf(socket);
    socket.send(fixedHeader(0x10, 200 * 1024 * 1024));
    assert.equal(await within(closed, 20_000, "the gateway to close the WebSocket"), 1009);

    const device = await connect(url, { clientId: "dev-1", username: "dev-1", password: TOKEN });
    const deviceClosed = new Promise<string>((resolve) => device.once("close", () => resolve("closed")));
    const acked = device.publishAsync("devices/dev-1/telemetry", "x".repeat(1024 * 1024), { qos: 1 })
      .then(() => "acknowledged", () => "failed");
    assert.notEqual(await Promise.race([deviceClosed, acked]), "acknowledged");
    await within(deviceClosed, 20_000, "the close");
    device.end(true);
  }));
