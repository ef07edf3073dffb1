/**
 * A socket as aedes should read it under Deno. aedes reads a connection with `'readable'` events
 * and `read(null)`; Deno's node:stream compatibility loses `'readable'` events under a sustained
 * flood (data sits in the stream buffer and no event comes: reproduced with plain aedes and with a
 * bare `'readable'` + `read(null)` reader, while a `'data'` reader of the same socket is fine),
 * which stalled QoS 0 floods for good. This stream takes the socket's `'data'` events instead,
 * keeps the chunks itself, and announces them with one `'readable'` per run of data, which
 * `read()` ends.
 *
 * Backpressure is kept: the socket is paused above `maxBufferedBytes` until aedes reads, so a
 * device that publishes faster than it is handled is slowed down by TCP, as before.
 *
 * With an `IntakeGate`, data is handed to aedes only while the gate is open: a closed gate leaves
 * the chunks here (the socket pauses once they pass `maxBufferedBytes`) and announces them again
 * when it opens.
 *
 * Every chunk passes the connection's `packetLimit` before it is kept: a packet declaring more
 * than the limit destroys the stream before aedes' parser starts buffering it.
 */
import { Buffer } from "node:buffer";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import type { PacketSizeLimit } from "./packet_size_limit.ts";
import type { IntakeGate } from "./intake_gate.ts";

export interface SocketStreamOptions {
  /** Buffered bytes above which the socket is paused until aedes reads. Default 64 KiB. */
  maxBufferedBytes?: number;
  packetLimit?: PacketSizeLimit;
  /** The process-wide bound on uplinks held in memory. */
  gate?: IntakeGate;
}

export class SocketStream extends Duplex {
  readonly socket: Socket;
  readonly #maxBufferedBytes: number;
  #chunks: Buffer[] = [];
  #bytes = 0;
  #announced = false;
  readonly #gate: IntakeGate | undefined;
  #waitingForGate = false;

  constructor(socket: Socket, options: SocketStreamOptions = {}) {
    super({ allowHalfOpen: false });
    this.socket = socket;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 64 * 1024;
    this.#gate = options.gate;
    const { packetLimit } = options;
    socket.on("data", (chunk: Buffer) => {
      if (this.destroyed) return;
      try {
        packetLimit?.check(chunk);
      } catch (error) {
        this.destroy(error as Error);
        return;
      }
      this.#chunks.push(chunk);
      this.#bytes += chunk.length;
      if (this.#bytes > this.#maxBufferedBytes) socket.pause();
      if (!this.#announced) {
        this.#announced = true;
        queueMicrotask(() => this.emit("readable"));
      }
    });
    socket.on("drain", () => this.emit("drain"));
    socket.on("end", () => this.emit("end"));
    socket.on("error", (error) => this.destroy(error));
    socket.on("close", () => this.destroy());
  }

  /** Everything received since the last call (`size` is ignored), or null when nothing is. */
  override read(_size?: number): Buffer | null {
    this.#announced = false;
    if (this.#chunks.length === 0) return null;
    if (this.#gate && !this.#gate.open) {
      if (!this.#waitingForGate) {
        this.#waitingForGate = true;
        this.#gate.whenOpen(() => {
          this.#waitingForGate = false;
          if (!this.destroyed && this.#chunks.length > 0) this.emit("readable");
        });
      }
      return null;
    }
    const data = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#bytes);
    this.#chunks = [];
    this.#bytes = 0;
    if (this.socket.isPaused()) this.socket.resume();
    return data;
  }

  override _read(): void {}

  // Writes go straight to the socket, not through this stream's own write queue: aedes writes a
  // CONNACK refusal and destroys the connection right after, and anything still queued here
  // would be lost (the socket flushes what it was given, as it did without this wrapper).
  override write(chunk: Buffer | string, ...rest: unknown[]): boolean {
    return (this.socket.write as (chunk: Buffer | string, ...rest: unknown[]) => boolean)(chunk, ...rest);
  }

  override cork(): void {
    this.socket.cork();
  }

  override uncork(): void {
    this.socket.uncork();
  }

  override end(...args: unknown[]): this {
    (this.socket.end as (...args: unknown[]) => void)(...args);
    return this;
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}
