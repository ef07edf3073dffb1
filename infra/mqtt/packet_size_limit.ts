/**
 * The size limit of MQTT packets on one connection, enforced on the raw bytes as they arrive.
 *
 * Neither aedes nor its parser (mqtt-packet 9) has a packet size option: the parser buffers
 * whatever remaining length a packet declares (up to 256 MB) until it is complete, before
 * anyone can look at it — before CONNECT is even authenticated. So the connection streams pass
 * every chunk through `check` first: it follows packet boundaries by reading each fixed header
 * (type byte + 1–4 byte remaining length) and skipping the body, and refuses a packet as soon as
 * its header declares more than `maxBytes`, i.e. after at most 5 bytes of it.
 *
 * `maxBytes` starts small (a CONNECT needs little) and is raised once the device has
 * authenticated, so an anonymous peer can never make the broker hold much.
 */
/** A packet over the limit, or a remaining length that is not a valid MQTT variable byte integer. */
export class PacketTooLargeError extends RangeError {
  override name = "PacketTooLargeError";
}

export class PacketSizeLimit {
  /** Largest accepted packet, fixed header included. */
  maxBytes: number;
  #reading: "type" | "length" | "body" = "type";
  #remaining = 0;
  #multiplier = 1;
  #lengthBytes = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Follows the packets through `chunk`; throws a `PacketTooLargeError` at the first one too large. */
  check(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.#reading === "type") {
        i++;
        this.#reading = "length";
        this.#remaining = 0;
        this.#multiplier = 1;
        this.#lengthBytes = 0;
      } else if (this.#reading === "length") {
        const byte = chunk[i++]!;
        this.#remaining += (byte & 0x7f) * this.#multiplier;
        this.#multiplier *= 128;
        this.#lengthBytes++;
        if (byte & 0x80) {
          if (this.#lengthBytes === 4) {
            throw new PacketTooLargeError("Cannot read MQTT packet: remaining length longer than 4 bytes");
          }
          continue;
        }
        const size = 1 + this.#lengthBytes + this.#remaining;
        if (size > this.maxBytes) {
          throw new PacketTooLargeError(
            `Cannot accept MQTT packet: ${size} bytes declared, limit ${this.maxBytes}`,
          );
        }
        this.#reading = this.#remaining > 0 ? "body" : "type";
      } else {
        const taken = Math.min(this.#remaining, chunk.length - i);
        i += taken;
        this.#remaining -= taken;
        if (this.#remaining === 0) this.#reading = "type";
      }
    }
  }
}
