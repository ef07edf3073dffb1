/**
 * Device events (topic family `device`). Key: the device id, which is why `data` does not
 * repeat it. Registry changes are events too, so a replay rebuilds the registry and device auth.
 */

import { z } from "zod";
import {
  actorSchema,
  epochMillisSchema,
  jsonObjectSchema,
  labelsSchema,
  reasonSchema,
  storableText,
} from "./_schemas.ts";
import { defineEvent } from "./definition.ts";

/**
 * A stored device credential: only the hash of the token and how it was hashed. The token itself
 * is shown once by the API and never enters the log. The hash stays on the log for device auth
 * but is a secret field: clients have no use for it, and a leaked hash is where an offline attack
 * on the token starts.
 */
const credentialSchema = z.strictObject({
  algorithm: z.enum(["sha256", "scrypt", "argon2id"]),
  hash: z.string().regex(/^[A-Za-z0-9+/=$.,:_-]{16,512}$/, "expected a credential hash"),
});

const deviceProfile = {
  name: storableText().min(1).max(256).optional(),
  model: storableText().min(1).max(128).optional(),
  labels: labelsSchema.optional(),
};

/** `device.registered` v1: a device was created, with its first credential when it has a token. */
const deviceRegisteredSchema = z.strictObject({
  ...deviceProfile,
  /** What the device is; absent for an MQTT device. `camera`: a video source (issue 19), no MQTT. */
  kind: z.enum(["device", "camera"]).optional(),
  credential: credentialSchema.optional(),
  by: actorSchema.optional(),
});

/** `device.updated` v1: the fields present replace the stored ones (`labels` as a whole). */
const deviceUpdatedSchema = z.strictObject({ ...deviceProfile, by: actorSchema.optional() })
  .refine((data) => data.name !== undefined || data.model !== undefined || data.labels !== undefined, {
    error: "expected at least one of name, model, labels",
  });

/** `device.decommissioned` v1: the device may no longer connect; its history stays. */
const deviceDecommissionedSchema = z.strictObject({
  reason: reasonSchema.optional(),
  by: actorSchema.optional(),
});

/** `device.credentials.rotated` v1: the new credential replaces the old one. */
const deviceCredentialsRotatedSchema = z.strictObject({
  credential: credentialSchema,
  by: actorSchema.optional(),
});

/** `device.connected` v1: one MQTT connection of the device came up. */
const deviceConnectedSchema = z.strictObject({
  clientId: z.string().min(1).max(256),
  /** `host:port` or IP address as seen by the broker. */
  remoteAddress: z.string().min(1).max(256).optional(),
  protocol: z.enum(["mqtt", "mqtts", "ws", "wss"]),
  /** True when the device authenticated with a TLS client certificate. */
  certificate: z.boolean().optional(),
});

/** `device.disconnected` v1: one MQTT connection of the device went away. */
const deviceDisconnectedSchema = z.strictObject({
  clientId: z.string().min(1).max(256),
  /** As the gateway reports it, e.g. `client_disconnect`, `keepalive_timeout`, `taken_over`. */
  reason: reasonSchema,
});

/**
 * `device.state.reported` v1: a JSON merge patch (RFC 7386) onto the reported state; `null`
 * deletes a key. `version` is the device's own counter, when it keeps one.
 */
const deviceStateReportedSchema = z.strictObject({
  patch: jsonObjectSchema,
  version: z.int().min(0).optional(),
});

/** `device.state.desired` v1: a JSON merge patch onto the desired state, and who asked for it. */
const deviceStateDesiredSchema = z.strictObject({
  patch: jsonObjectSchema,
  by: actorSchema,
});

/**
 * `device.event.reported` v1: a device-defined event from `devices/{id}/events`, e.g.
 * `door.opened`. Not in design §3's list: added because the device contract (§6) needs a home for it.
 */
const deviceEventReportedSchema = z.strictObject({
  eventType: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, "expected 1-128 characters of A-Z a-z 0-9 _ . : -"),
  /** Device time when given, else ingest time (epoch milliseconds). */
  ts: epochMillisSchema,
  data: jsonObjectSchema.optional(),
});

export const deviceEvents = {
  "device.registered": defineEvent({
    family: "device",
    schema: deviceRegisteredSchema,
    secretFields: ["credential"],
  }),
  "device.updated": defineEvent({ family: "device", schema: deviceUpdatedSchema }),
  "device.decommissioned": defineEvent({ family: "device", schema: deviceDecommissionedSchema }),
  "device.credentials.rotated": defineEvent({
    family: "device",
    schema: deviceCredentialsRotatedSchema,
    secretFields: ["credential"],
  }),
  "device.connected": defineEvent({ family: "device", schema: deviceConnectedSchema }),
  "device.disconnected": defineEvent({ family: "device", schema: deviceDisconnectedSchema }),
  "device.state.reported": defineEvent({ family: "device", schema: deviceStateReportedSchema }),
  "device.state.desired": defineEvent({ family: "device", schema: deviceStateDesiredSchema }),
  "device.event.reported": defineEvent({ family: "device", schema: deviceEventReportedSchema }),
} as const;
