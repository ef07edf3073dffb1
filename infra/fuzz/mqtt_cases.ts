/**
 * Hostile MQTT byte sequences for the broker fuzz test, each drawn from a seeded PRNG so a case
 * is reproduced from `(seed, index)` alone. A case is what one raw TCP connection sends: usually a
 * valid CONNECT (so the fuzz reaches the authenticated parser, ACL and ingest, not only the CONNECT
 * gate) followed by malformed or boundary packets, in random chunks.
 *
 * The kinds follow the ways a device stack or an attacker gets MQTT wrong: random bytes, remaining
 * lengths that lie (short, long, 5 bytes, 256 MB), topics that are not UTF-8 or hold NUL and
 * wildcards, QoS 3 and reserved flag bits, duplicate and unknown packet ids, truncation, a second
 * CONNECT, MQTT 5 properties, and packets that are valid but random in every field.
 */
import { createRandom, type Random } from "./seeded_random.ts";

/** Credentials the fuzz connections authenticate with (a device registered for the fuzz). */
export interface FuzzDevice {
  id: string;
  token: string;
}

export interface FuzzCase {
  /** `kind#index`, for failure reports. */
  name: string;
  /** Sent in order; each element is one write (a packet split across writes tests reassembly). */
  writes: Uint8Array[];
  /** How long to keep the connection open after the last write (the broker may answer or close). */
  lingerMs: number;
}

const encoder = new TextEncoder();

/** Remaining length as an MQTT variable byte integer (any value, even ones MQTT forbids). */
function varInt(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    const byte = rest % 128;
    rest = Math.floor(rest / 128);
    bytes.push(rest > 0 ? byte | 0x80 : byte);
  } while (rest > 0);
  return bytes;
}

const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const str = (bytes: Uint8Array | number[]) => [...u16(bytes.length), ...bytes];
const utf8 = (text: string) => str(encoder.encode(text));
const packet = (first: number, body: number[] | Uint8Array) =>
  new Uint8Array([first, ...varInt(body.length), ...body]);

/** A valid MQTT 3.1.1 (level 4) or 5 CONNECT with username and password, clean session. */
export function connect(clientId: string, username: string, password: string, level: 4 | 5 = 4): Uint8Array {
  const properties = level === 5 ? [0] : [];
  return packet(0x10, [
    ...utf8("MQTT"),
    level,
    0xc2,
    ...u16(60),
    ...properties,
    ...utf8(clientId),
    ...utf8(username),
    ...utf8(password),
  ]);
}

export function publish(
  topic: number[] | Uint8Array,
  payload: Uint8Array,
  qos: number,
  id: number,
  flags = 0,
): Uint8Array {
  const packetId = qos > 0 ? u16(id) : [];
  return packet(0x30 | flags | ((qos & 3) << 1), [...str(topic), ...packetId, ...payload]);
}

const subscribe = (id: number, filters: [number[], number][]) =>
  packet(0x82, [...u16(id), ...filters.flatMap(([filter, qos]) => [...str(filter), qos])]);
const unsubscribe = (id: number, filters: number[][]) =>
  packet(0xa2, [...u16(id), ...filters.flatMap((filter) => str(filter))]);
const ack = (type: number, id: number) => packet(type, u16(id));

/** Topic bytes: mostly the device's own namespace, plus every way a topic can be wrong. */
function topicBytes(random: Random, deviceId: string): number[] {
  const own = `devices/${deviceId}/`;
  const invalidUtf8 = [[0xff, 0xfe], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [
    0xe2,
    0x82,
  ]];
  switch (random.int(0, 11)) {
    case 0:
      return [...encoder.encode(own), ...random.pick(invalidUtf8)];
    case 1:
      return [...encoder.encode(`${own}telemetry`), 0];
    case 2:
      return [
        ...encoder.encode(
          random.pick(["#", "+/+/+", `${own}#`, `${own}+`, "$SYS/x", "devices/other/telemetry"]),
        ),
      ];
    case 3:
      return [];
    case 4:
      return [...encoder.encode(own + "x".repeat(random.int(100, 70_000) % 65_000))];
    case 5:
      return [...random.bytes(random.int(1, 40))];
    case 6:
      return [...encoder.encode(`${own}${"/".repeat(random.int(1, 50))}`)];
    default:
      return [
        ...encoder.encode(
          own + random.pick(["telemetry", "events", "ack/c-1", "ota", "state", "errors", "x/y/z"]),
        ),
      ];
  }
}

function payload(random: Random): Uint8Array {
  switch (random.int(0, 7)) {
    case 0:
      return random.bytes(random.int(0, 300));
    case 1:
      return new Uint8Array(0);
    case 2:
      return encoder.encode(JSON.stringify({ t: random.next(), n: random.int(-1e9, 1e9) }));
    case 3:
      return encoder.encode(`{"a":${"[".repeat(random.int(10, 5000))}`);
    case 4:
      return encoder.encode(JSON.stringify(Object.fromEntries(
        Array.from({ length: random.int(1, 3000) }, (_, i) => [`m${i}`, random.next()]),
      )));
    case 5:
      // Around ingest's 256 KiB payload limit, under the 320 KiB packet limit.
      return new Uint8Array(random.int(255, 300) * 1024).fill(0x20);
    case 6:
      return encoder.encode(JSON.stringify({ type: "x", ts: random.pick([-1, 1e20, "2026-13-45", null]) }));
    default:
      return encoder.encode(
        JSON.stringify({ v: random.pick([NaN, 1e308, -0, "1", true, null, [1], { a: 1 }]) }),
      );
  }
}

/** A packet that parses (mostly) but is random in every field an authenticated device controls. */
function validLooking(random: Random, deviceId: string): Uint8Array {
  const id = random.pick([0, 1, 2, 65535, random.int(1, 65535)]);
  switch (random.int(0, 9)) {
    case 0:
    case 1:
    case 2:
      return publish(
        topicBytes(random, deviceId),
        payload(random),
        random.int(0, 2),
        id,
        random.bool(0.2) ? 8 : 0,
      );
    case 3:
      return subscribe(
        id,
        Array.from({ length: random.int(1, 5) }, () => [topicBytes(random, deviceId), random.int(0, 3)]),
      );
    case 4:
      return unsubscribe(id, Array.from({ length: random.int(1, 5) }, () => topicBytes(random, deviceId)));
    case 5:
      return ack(random.pick([0x40, 0x50, 0x62, 0x70]), id);
    case 6:
      return new Uint8Array([0xc0, 0]); // PINGREQ
    case 7:
      return new Uint8Array([0xe0, 0]); // DISCONNECT
    case 8:
      return connect(`second-${id}`, deviceId, "x"); // a second CONNECT is a protocol violation
    default:
      // Reserved packet types 0 and 15, and known types with reserved flag bits set.
      return packet(random.pick([0x00, 0xf0, 0x83, 0xa0, 0x61, 0xc1, 0xe5]), random.bytes(random.int(0, 20)));
  }
}

type Generator = (random: Random, device: FuzzDevice, login: Uint8Array) => Uint8Array[];

/** Each kind names what it sends; `login` is a valid CONNECT of the fuzz device. */
export const CASE_KINDS: Readonly<Record<string, Generator>> = {
  "random bytes before CONNECT": (random) => [random.bytes(random.int(1, 4096))],
  "random bytes after CONNECT": (random, _device, login) => [login, random.bytes(random.int(1, 8192))],
  "CONNECT with random fields": (random, device) => {
    const connect = [...(random.bool() ? utf8("MQTT") : str(random.bytes(random.int(0, 8))))];
    connect.push(
      random.pick([0, 3, 4, 5, 6, 255]),
      random.int(0, 255),
      random.int(0, 255),
      random.int(0, 255),
    );
    for (let i = random.int(0, 5); i > 0; i--) {
      connect.push(
        ...(random.bool(0.7)
          ? utf8(random.pick([device.id, device.token, "", "x".repeat(300)]))
          : str(random.bytes(random.int(0, 60)))),
      );
    }
    return [packet(random.pick([0x10, 0x11, 0x1f]), connect)];
  },
  "remaining length shorter than the body": (random, device, login) => {
    const body = publish(topicBytes(random, device.id), payload(random), 1, 7).subarray(2);
    return [login, new Uint8Array([0x32, ...varInt(random.int(0, Math.min(body.length, 100))), ...body])];
  },
  "remaining length longer than the body, then silence": (random, device, login) => {
    const body = publish(encoder.encode(`devices/${device.id}/telemetry`), payload(random), 1, 7)
      .subarray(2);
    return [login, new Uint8Array([0x32, ...varInt(body.length + random.int(1, 5000)), ...body])];
  },
  "huge declared length": (random, _device, login) => {
    const header = [
      random.pick([0x10, 0x30, 0x32, 0x82]),
      ...varInt(random.pick([268_435_455, 200 << 20, 330 * 1024, 1 << 21])),
    ];
    return [...(random.bool() ? [login] : []), new Uint8Array(header), random.bytes(random.int(0, 65536))];
  },
  "five-byte remaining length": (
    random,
    _device,
    login,
  ) => [login, new Uint8Array([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f, ...random.bytes(8)])],
  "QoS 3 publish": (
    random,
    device,
    login,
  ) => [login, publish(topicBytes(random, device.id), payload(random), 3, random.int(1, 65535))],
  "duplicate packet ids": (random, device, login) => {
    const id = random.int(1, 65535), qos = random.int(1, 2);
    const topic = [...encoder.encode(`devices/${device.id}/telemetry`)];
    const same = publish(topic, encoder.encode(`{"dup":${id}}`), qos, id);
    return [
      login,
      same,
      publish(topic, payload(random), qos, id, 8),
      same,
      ack(0x62, id),
      ack(0x62, id),
      ack(0x62, id + 1),
    ];
  },
  "truncated packet, then close": (random, device, login) => {
    const whole = validLooking(random, device.id);
    return [login, whole.subarray(0, random.int(1, Math.max(1, whole.length - 1)))];
  },
  "random valid-looking packets": (
    random,
    device,
    login,
  ) => [login, ...Array.from({ length: random.int(1, 30) }, () => validLooking(random, device.id))],
  "MQTT 5 CONNECT with random properties": (random, device) => {
    const properties = random.bytes(random.int(0, 64));
    return [packet(0x10, [
      ...utf8("MQTT"),
      5,
      0xc2,
      ...u16(random.int(0, 65535)),
      ...varInt(properties.length),
      ...properties,
      ...utf8(`${device.id}-v5`),
      ...utf8(device.id),
      ...utf8(device.token),
    ])];
  },
  "bad credentials": (
    random,
    device,
  ) => [
    connect(
      random.pick([device.id, "", "../x"]),
      random.pick([device.id, "ghost", ""]),
      random.pick(["wrong", "", device.token + "x"]),
    ),
  ],
};

/** The case `index` of the run seeded with `seed`: the same pair always gives the same bytes. */
export function fuzzCase(seed: number, index: number, device: FuzzDevice): FuzzCase {
  const random = createRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const kinds = Object.keys(CASE_KINDS);
  const kind = random.pick(kinds);
  const clientId = random.bool(0.2) ? device.id : `${device.id}-fuzz-${random.int(0, 15)}`;
  const login = connect(clientId, device.id, device.token, random.bool(0.2) ? 5 : 4);
  const packets = CASE_KINDS[kind]!(random, device, login);
  // Split the stream at random points: the broker must reassemble packets across reads.
  const stream = concat(packets);
  const writes: Uint8Array[] = [];
  for (let at = 0; at < stream.length;) {
    const size = random.bool(0.7) ? stream.length - at : random.int(1, Math.max(1, stream.length - at));
    writes.push(stream.subarray(at, at + size));
    at += size;
  }
  return { name: `${kind}#${index}`, writes, lingerMs: random.int(0, 200) };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
