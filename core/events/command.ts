/**
 * Command lifecycle events (topic family `command`). Key: the device id.
 *
 * requested → dispatched → acked | failed | expired. `failed` is the platform giving up
 * (device gone, publish refused); a device reporting an error is `acked` with status `error`.
 */

import { z } from "zod";
import {
  actorSchema,
  entityIdSchema,
  isoTimeSchema,
  jsonObjectSchema,
  reasonSchema,
  storableText,
} from "./_schemas.ts";
import { defineEvent } from "./definition.ts";

/** `command.requested` v1: someone asked the device to do something before `expiresAt`. */
const commandRequestedSchema = z.strictObject({
  commandId: entityIdSchema,
  /** Sent to the device as `name`, e.g. `reboot`. */
  name: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, "expected 1-128 characters of A-Z a-z 0-9 _ . : -"),
  params: jsonObjectSchema.optional(),
  expiresAt: isoTimeSchema,
  requestedBy: actorSchema.optional(),
});

/** `command.dispatched` v1: the command was published to `devices/{id}/commands/{commandId}`. */
const commandDispatchedSchema = z.strictObject({
  commandId: entityIdSchema,
});

/** `command.acked` v1: the device answered on `devices/{id}/commands/{commandId}/ack`. */
const commandAckedSchema = z.strictObject({
  commandId: entityIdSchema,
  status: z.enum(["ok", "error"]),
  result: z.json().optional(),
  error: storableText().max(4096).optional(),
});

/** `command.failed` v1: the platform could not deliver the command. */
const commandFailedSchema = z.strictObject({
  commandId: entityIdSchema,
  reason: reasonSchema,
});

/** `command.expired` v1: `expiresAt` passed without an answer from the device. */
const commandExpiredSchema = z.strictObject({
  commandId: entityIdSchema,
});

export const commandEvents = {
  "command.requested": defineEvent({ family: "command", schema: commandRequestedSchema }),
  "command.dispatched": defineEvent({ family: "command", schema: commandDispatchedSchema }),
  "command.acked": defineEvent({ family: "command", schema: commandAckedSchema }),
  "command.failed": defineEvent({ family: "command", schema: commandFailedSchema }),
  "command.expired": defineEvent({ family: "command", schema: commandExpiredSchema }),
} as const;
