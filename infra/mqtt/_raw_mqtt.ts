/**
 * MQTT 3.1.1 by hand, for tests that must send what a well-behaved client never would: a header
 * declaring a huge packet, the same QoS 2 PUBLISH twice before PUBREL. Only the few packets the
 * tests need are encoded; received packets are split by their fixed header and left raw.
 */
const encoder = new TextEncoder();

/** Fixed header: packet type and flags (first byte) + remaining length as a variable byte integer. */
export function fixedHeader(typeAndFlags: number, remainingLength: number): Uint8Array {
  const bytes = [typeAndFlags];
  let rest = remainingLength;
  do {
    const byte = rest % 128;
    rest = Math.floor(rest / 128);
    bytes.push(rest > 0 ? byte | 0x80 : byte);
  } while (rest > 0);
  return new Uint8Array(bytes);
}

const utf8 = (text: string) => {
  const bytes = encoder.encode(text);
  return [bytes.length >> 8, bytes.length & 0xff, ...bytes];
};

const withHeader = (typeAndFlags: number, body: number[] | Uint8Array) =>
  new Uint8Array([...fixedHeader(typeAndFlags, body.length), ...body]);

export function connectPacket(clientId: string, username: string, password: string): Uint8Array {
  // Protocol "MQTT" level 4; flags: username, password, clean session; keepalive 60 s.
  const variable = [...utf8("MQTT"), 4, 0xc2, 0, 60];
  return withHeader(0x10, [...variable, ...utf8(clientId), ...utf8(username), ...utf8(password)]);
}

export function publishPacket(
  topic: string,
  payload: string | Uint8Array,
  options: { qos: 0 | 1 | 2; messageId?: number; dup?: boolean },
): Uint8Array {
  const id = options.qos > 0 ? [(options.messageId ?? 1) >> 8, (options.messageId ?? 1) & 0xff] : [];
  const body = typeof payload === "string" ? encoder.encode(payload) : payload;
  return withHeader(0x30 | (options.dup ? 0x08 : 0) | (options.qos << 1), [...utf8(topic), ...id, ...body]);
}

export const pubrelPacket = (messageId: number) => withHeader(0x62, [messageId >> 8, messageId & 0xff]);

export interface RawPacket {
  /** Upper nibble of the first byte: 2 CONNACK, 5 PUBREC, 7 PUBCOMP, … */
  type: number;
  body: Uint8Array;
}

/** A plain TCP connection that sends bytes and reads whole packets until the server closes it. */
export class RawMqttConnection {
  readonly #conn: Deno.TcpConn;
  readonly #packets: RawPacket[] = [];
  #waiting: (() => void) | undefined;
  #buffer = new Uint8Array(0);
  /** Resolves when the server closes the connection (EOF or reset). */
  readonly closed: Promise<void>;
  isClosed = false;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    this.closed = this.#readAll().finally(() => {
      this.isClosed = true;
      this.#waiting?.();
    });
  }

  static async open(port: number): Promise<RawMqttConnection> {
    return new RawMqttConnection(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Writes all of `bytes`; false once the server has closed the connection. */
  async send(bytes: Uint8Array): Promise<boolean> {
    try {
      let written = 0;
      while (written < bytes.length) written += await this.#conn.write(bytes.subarray(written));
      return true;
    } catch {
      return false;
    }
  }

  /** The next packet from the server; rejects if the connection closes first. */
  async next(): Promise<RawPacket> {
    while (this.#packets.length === 0) {
      if (this.isClosed) throw new Error("the connection closed before the expected packet");
      await new Promise<void>((resolve) => this.#waiting = resolve);
    }
    return this.#packets.shift()!;
  }

  close(): void {
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }

  async #readAll(): Promise<void> {
    const chunk = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await this.#conn.read(chunk);
        if (n === null) return;
        this.#buffer = new Uint8Array([...this.#buffer, ...chunk.subarray(0, n)]);
        this.#split();
      }
    } catch {
      // A reset is a close too.
    }
  }

  #split(): void {
    for (;;) {
      let length = 0, multiplier = 1, i = 1;
      for (; i < this.#buffer.length && i <= 4; i++) {
        length += (this.#buffer[i]! & 0x7f) * multiplier;
        multiplier *= 128;
        if (!(this.#buffer[i]! & 0x80)) break;
      }
      if (i >= this.#buffer.length || this.#buffer.length < i + 1 + length) return;
      this.#packets.push({ type: this.#buffer[0]! >> 4, body: this.#buffer.slice(i + 1, i + 1 + length) });
      this.#buffer = this.#buffer.slice(i + 1 + length);
      this.#waiting?.();
    }
  }
}

/** Resolves with `promise`, or rejects naming `what` after `ms` (generous: for a wait that must end). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) =>
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  );
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` every 10 ms until it holds; rejects naming `what` after `ms` (generous by default). */
export async function until(
  probe: () => boolean | Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
