/**
 * MQTT over WebSocket: a server-side `WebSocket` (from `Deno.upgradeWebSocket`) as the node
 * `Duplex` that `aedes.handle` reads MQTT bytes from. Binary frames carry the bytes; MQTT packets
 * may span frames or share one (MQTT 3.1.1 §6), which the aedes parser handles.
 *
 * A WebSocket cannot be paused, so instead of backpressure the stream is destroyed when more than
 * `maxBufferedBytes` wait unread, which bounds memory per connection. Every message passes the
 * connection's `packetLimit` first, as on TCP (`socket_stream.ts`). Deno itself receives a whole
 * WebSocket message before `onmessage` (up to 64 MiB; it closes the socket above that) and has
 * no option to lower that: a reverse proxy with a message size limit bounds it further.
 */
import { Buffer } from "node:buffer";
import { Duplex } from "node:stream";
import { setImmediate } from "node:timers";
import { type PacketSizeLimit, PacketTooLargeError } from "./packet_size_limit.ts";

export interface WebSocketStreamOptions {
  /** Unread bytes at which the connection is dropped. Default 8 MiB. */
  maxBufferedBytes?: number;
  packetLimit?: PacketSizeLimit;
}

export function webSocketStream(socket: WebSocket, options: WebSocketStreamOptions = {}): Duplex {
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  socket.binaryType = "arraybuffer";

  function send(data: Uint8Array, callback: (error?: Error | null) => void): void {
    if (socket.readyState !== WebSocket.OPEN) return callback(new Error("WebSocket is not open"));
    try {
      socket.send(data);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      send(chunk, callback);
    },
    // One frame per corked group of writes instead of one per header/topic/payload piece.
    writev(chunks: { chunk: Buffer }[], callback) {
      send(Buffer.concat(chunks.map((c) => c.chunk)), callback);
    },
    final(callback) {
      socket.close(1000);
      callback();
    },
    destroy(error, callback) {
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) {
        // 1009 "message too big" tells the client why; 1011 is any other server-side failure.
        socket.close(error instanceof PacketTooLargeError ? 1009 : error ? 1011 : 1000);
      }
      callback(error);
    },
  });

  socket.onmessage = (event: MessageEvent) => {
    if (stream.destroyed) return;
    const data = typeof event.data === "string"
      ? Buffer.from(event.data)
      : Buffer.from(event.data as ArrayBuffer);
    try {
      options.packetLimit?.check(data);
    } catch (error) {
      stream.destroy(error as Error);
      return;
    }
    // Pushed from a macrotask: Deno does not run process.nextTick callbacks (which emit
    // 'readable') after WebSocket events, so a push straight from here waits for the next timer.
    setImmediate(() => {
      if (stream.destroyed) return;
      stream.push(data);
      if (stream.readableLength > maxBuffered) {
        stream.destroy(new Error(`more than ${maxBuffered} unread bytes on the WebSocket`));
      }
    });
  };
  socket.onclose = () =>
    setImmediate(() => {
      if (stream.destroyed) return;
      stream.push(null);
      stream.destroy();
    });
  socket.onerror = () => {
    if (!stream.destroyed) stream.destroy(new Error("WebSocket error"));
  };
  return stream;
}
