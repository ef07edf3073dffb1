/**
 * UUID version 7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then randomness. Ids sort by
 * creation time as plain strings, which is why events use them as ids and idempotency keys.
 *
 * Within one millisecond the 12-bit `rand_a` field is a counter (RFC 9562 §6.2, method 1) seeded
 * with a random value, so ids made by this module in one process are strictly increasing.
 */

const MAX_TIMESTAMP = 2 ** 48 - 1;
const MAX_COUNTER = 0xfff;
/** Seeds use the lower half of the counter range so a millisecond has at least 2048 ids to go. */
const SEED_MASK = 0x7ff;
/**
 * A clock that steps back by less than this is treated as skew: ids keep the last timestamp so
 * they stay ordered. A larger step is taken to be a deliberate time (backfill, tests, a reset
 * clock) and restarts the sequence there.
 */
const MAX_CLOCK_SKEW_MS = 10_000;

let lastTimestamp = -1;
let lastCounter = 0;

/** Random bytes drawn from a pool refilled 4 KiB at a time: one system call per 256 ids, not one each. */
const pool = new Uint8Array(4096);
let poolUsed = pool.length;

function randomBytes(length: number): Uint8Array {
  if (poolUsed + length > pool.length) {
    crypto.getRandomValues(pool);
    poolUsed = 0;
  }
  poolUsed += length;
  return pool.subarray(poolUsed - length, poolUsed);
}

function randomSeed(): number {
  const [high = 0, low = 0] = randomBytes(2);
  return ((high << 8) | low) & SEED_MASK;
}

function nextTimestampAndCounter(now: number): [number, number] {
  if (now > lastTimestamp || lastTimestamp - now > MAX_CLOCK_SKEW_MS) {
    lastTimestamp = now;
    lastCounter = randomSeed();
  } else if (lastCounter < MAX_COUNTER) {
    lastCounter += 1;
  } else {
    // Counter exhausted: borrow the next millisecond rather than lose ordering.
    lastTimestamp += 1;
    lastCounter = randomSeed();
  }
  return [lastTimestamp, lastCounter];
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += HEX[byte];
  return hex;
}

/**
 * Returns a new lowercase UUIDv7 for the Unix time `now` in milliseconds (default `Date.now()`).
 * Throws a `RangeError` when `now` is not an integer between 0 and 2^48 - 1.
 */
export function uuidv7(now: number = Date.now()): string {
  if (!Number.isInteger(now) || now < 0 || now > MAX_TIMESTAMP) {
    throw new RangeError(`Cannot create a UUIDv7: time must be an integer in [0, 2^48), got ${now}`);
  }
  const [timestamp, counter] = nextTimestampAndCounter(now);
  const bytes = randomBytes(16);
  // 48-bit big-endian timestamp; division, not shifts, because JS shifts are 32-bit.
  let rest = timestamp;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  bytes[6] = 0x70 | (counter >> 8); // version 7 + high 4 bits of rand_a
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f); // variant 0b10
  const hex = toHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID_V7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * True when `value` is a UUIDv7 in canonical lowercase form. Uppercase is refused on purpose:
 * ids are compared as strings, so one id must have exactly one spelling.
 */
export function isUuidV7(value: unknown): value is string {
  return typeof value === "string" && UUID_V7_PATTERN.test(value);
}

/** The Unix time in milliseconds encoded in a UUIDv7. Throws a `TypeError` for anything else. */
export function uuidV7Time(id: string): number {
  if (!isUuidV7(id)) throw new TypeError(`Cannot read the time of "${id}": not a UUIDv7`);
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/**
 * A UUIDv7 for time `ms` whose other bits come from `digest` (at least 10 bytes, e.g. a SHA-256 of
 * what the id stands for). The same inputs always give the same id: an event that a processor
 * derives again after a redelivery keeps its id, so consumers see a repeat, not a new event.
 */
export function uuidv7FromDigest(ms: number, digest: Uint8Array): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_TIMESTAMP) {
    throw new RangeError(`Cannot create a UUIDv7: time must be an integer in [0, 2^48), got ${ms}`);
  }
  if (digest.length < 10) throw new RangeError("Cannot create a UUIDv7: the digest needs at least 10 bytes");
  const bytes = new Uint8Array(16);
  let rest = ms;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  bytes.set(digest.subarray(0, 10), 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = toHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
