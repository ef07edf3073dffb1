/**
 * Dead-letter events (topic family `dlq`). Key: the device id when known, else the client id
 * or the MQTT topic. Principle: nothing is lost — input that fails validation is kept raw here
 * with the reason, and `GET /dlq` shows it.
 */

import { z } from "zod";
import { entityIdSchema, isoTimeSchema, reasonSchema } from "./_schemas.ts";
import { defineEvent } from "./definition.ts";

/** `input.rejected` v1: one refused uplink, bytes exactly as received. */
const inputRejectedSchema = z.strictObject({
  /** The MQTT topic it was published on. */
  topic: z.string().min(1).max(65_535),
  /** Why it was refused, e.g. `payload exceeds 262144 bytes`. */
  reason: reasonSchema,
  /** The raw payload, base64; may be empty. */
  payloadBase64: z.base64(),
  deviceId: entityIdSchema.optional(),
  clientId: z.string().min(1).max(256).optional(),
  /** When the broker received it, if earlier than the event's `ingestedAt`. */
  receivedAt: isoTimeSchema.optional(),
});

export const dlqEvents = {
  "input.rejected": defineEvent({ family: "dlq", schema: inputRejectedSchema }),
} as const;
