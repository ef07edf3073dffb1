import assert from "node:assert/strict";
import net from "node:net";
import { IntakeGate } from "./intake_gate.ts";
import { SocketStream } from "./socket_stream.ts";
import { eventually } from "../../core/testing/eventually.ts";

/** A connected TCP pair on loopback: the server side wrapped in a SocketStream. */
async function pair(gate: IntakeGate) {
  const accepted = Promise.withResolvers<net.Socket>();
  const server = net.createServer((socket) => accepted.resolve(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const client = net.connect(port, "127.0.0.1");
  const stream = new SocketStream(await accepted.promise, { gate, maxBufferedBytes: 1024 });
  return {
    client,
    stream,
    close: async () => {
      client.destroy();
      stream.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

Deno.test("SocketStream holds data back while the intake gate is closed and announces it when it opens", async () => {
  let pending = 100;
  const gate = new IntakeGate(() => pending, { high: 10, low: 5 });
  const { client, stream, close } = await pair(gate);
  try {
    let readable = 0;
    stream.on("readable", () => readable++);
    client.write("hello");
    await eventually("the first readable", () => readable >= 1);
    assert.equal(stream.read(), null, "closed gate: nothing handed over");
    assert.equal(gate.waiting, 1);
    pending = 0;
    gate.settled();
    await eventually("readable again once the gate opened", () => readable >= 2);
    assert.equal(stream.read()?.toString(), "hello");
  } finally {
    await close();
  }
});

Deno.test("SocketStream pauses its socket past maxBufferedBytes while the gate is closed", async () => {
  let pending = 100;
  const gate = new IntakeGate(() => pending, { high: 10, low: 5 });
  const { client, stream, close } = await pair(gate);
  try {
    stream.on("readable", () => stream.read());
    client.write(new Uint8Array(4096));
    await eventually("the socket paused", () => stream.socket.isPaused());
    let received = 0;
    stream.removeAllListeners("readable");
    stream.on("readable", () => received += stream.read()?.length ?? 0);
    pending = 0;
    gate.settled();
    await eventually("all bytes handed over", () => received === 4096);
  } finally {
    await close();
  }
});
