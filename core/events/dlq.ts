/**
 * Dead-letter events (topic family `dlq`). Key: the device id when known, else the client id
 * or the MQTT topic. Principle: nothing is lost — input that fails validation is kept raw here
 * with the reason, and `GET /dlq` shows it.
 */

import { z } from "zod";
import { bytesToBase64 } from "../encoding.ts";
import { sha256Hex } from "../sha256.ts";
import { entityIdSchema, isoTimeSchema, reasonSchema } from "./_schemas.ts";
import { defineEvent } from "./definition.ts";

/**
 * Raw bytes a dead letter keeps: the device contract's payload limit, so every payload a device
 * may send is kept whole. A longer one (an oversized uplink, a large event a processor refused)
 * keeps this prefix with the size and digest of the whole, so a dead letter never outgrows what
 * the log accepts in one message (Kafka: 1 MB by default).
 */
export const MAX_REJECTED_PAYLOAD_BYTES = 256 * 1024;

/**
 * `input.rejected` v1: one refused uplink, bytes exactly as received (up to the limit above).
 * `payloadTruncated` was added as an optional field: every event stored before it is still valid.
 */
const inputRejectedSchema = z.strictObject({
  /** The MQTT topic it was published on. */
  topic: z.string().min(1).max(65_535),
  /** Why it was refused, e.g. `payload exceeds 262144 bytes`. */
  reason: reasonSchema,
  /** The raw payload, base64; may be empty. Only its first bytes when `payloadTruncated` is set. */
  payloadBase64: z.base64(),
  /** Set when the payload was longer than `MAX_REJECTED_PAYLOAD_BYTES`: the whole one's size and SHA-256. */
  payloadTruncated: z.strictObject({
    bytes: z.int().min(MAX_REJECTED_PAYLOAD_BYTES + 1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex digits"),
  }).optional(),
  deviceId: entityIdSchema.optional(),
  clientId: z.string().min(1).max(256).optional(),
  /** When the broker received it, if earlier than the event's `ingestedAt`. */
  receivedAt: isoTimeSchema.optional(),
});

/** The payload fields of an `input.rejected` event. */
export interface RejectedPayload {
  payloadBase64: string;
  payloadTruncated?: { bytes: number; sha256: string };
}

/** The payload fields for `bytes`: all of them, or their first `MAX_REJECTED_PAYLOAD_BYTES` and a digest. */
export function rejectedPayload(bytes: Uint8Array): RejectedPayload {
  if (bytes.length <= MAX_REJECTED_PAYLOAD_BYTES) return { payloadBase64: bytesToBase64(bytes) };
  return {
    payloadBase64: bytesToBase64(bytes.subarray(0, MAX_REJECTED_PAYLOAD_BYTES)),
    payloadTruncated: { bytes: bytes.length, sha256: sha256Hex(bytes) },
  };
}

export const dlqEvents = {
  "input.rejected": defineEvent({ family: "dlq", schema: inputRejectedSchema }),
} as const;
