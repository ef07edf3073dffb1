import assert from "node:assert/strict";
import { PacketSizeLimit, PacketTooLargeError } from "./packet_size_limit.ts";
import { fixedHeader } from "./_raw_mqtt.ts";

const packet = (type: number, bodyBytes: number) =>
  new Uint8Array([...fixedHeader(type, bodyBytes), ...new Uint8Array(bodyBytes)]);

Deno.test("PacketSizeLimit.check() follows packets across and within chunks", () => {
  const limit = new PacketSizeLimit(200);
  const stream = new Uint8Array([
    ...packet(0x10, 40),
    ...packet(0xc0, 0), // PINGREQ: no body
    ...packet(0x30, 197), // 1 + 2 + 197 = 200 bytes: exactly the limit
    ...packet(0x30, 127), // one length byte
  ]);
  // Every split, including inside a two-byte remaining length.
  for (let at = 0; at <= stream.length; at++) {
    const fresh = new PacketSizeLimit(200);
    fresh.check(stream.subarray(0, at));
    fresh.check(stream.subarray(at));
  }
  for (const byte of stream) limit.check(new Uint8Array([byte]));
});

Deno.test("PacketSizeLimit.check() refuses a packet as soon as its header declares too much", () => {
  const limit = new PacketSizeLimit(64 * 1024);
  limit.check(packet(0x10, 100));
  // 200 MB declared: refused on the header alone, no body needed.
  assert.throws(
    () => limit.check(fixedHeader(0x10, 200 * 1024 * 1024)),
    (error: Error) =>
      error instanceof PacketTooLargeError && /209715205 bytes declared, limit 65536/.test(error.message),
  );
  assert.throws(() => new PacketSizeLimit(200).check(packet(0x30, 198)), PacketTooLargeError);
});

Deno.test("PacketSizeLimit.check() refuses a remaining length of more than 4 bytes", () => {
  assert.throws(
    () => new PacketSizeLimit(Number.MAX_SAFE_INTEGER).check(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0xff])),
    PacketTooLargeError,
  );
});

Deno.test("PacketSizeLimit.maxBytes applies from the next packet once raised", () => {
  const limit = new PacketSizeLimit(100);
  limit.check(packet(0x10, 50));
  assert.throws(() => limit.check(fixedHeader(0x30, 1000)), PacketTooLargeError);
  const raised = new PacketSizeLimit(100);
  raised.check(packet(0x10, 50));
  raised.maxBytes = 2000;
  raised.check(packet(0x30, 1000));
});
