/**
 * Camera events (topic family `device`: a camera is a device, key = its id, so its configuration
 * and its stream health stay in order with its registry events). Camera configuration is an event
 * like rules and campaigns, so a replay rebuilds what the camera supervisor runs.
 *
 * The RTSP URL is stored without user and password; those (or a push camera's stream key) are
 * sealed (AES-GCM under the platform key, context = the camera id) in `credentials`, a secret
 * field: never shown to clients.
 */

import { z } from "zod";
import { actorSchema, labelsSchema, reasonSchema, storableText } from "./_schemas.ts";
import { defineEvent } from "./definition.ts";

/** An RTSP source as stored: the URL without credentials. */
const rtspSourceSchema = z.strictObject({
  kind: z.literal("rtsp"),
  url: z.string().regex(/^rtsps?:\/\/[^\s@/]+(\/\S*)?$/, "expected an rtsp:// URL without credentials").max(
    2048,
  ),
});

/** A camera that publishes (RTMP) to the platform; its stream key is sealed in `credentials`. */
const pushSourceSchema = z.strictObject({ kind: z.literal("push") });

const cameraSettings = {
  name: storableText().min(1).max(256).optional(),
  labels: labelsSchema.optional(),
  source: z.discriminatedUnion("kind", [rtspSourceSchema, pushSourceSchema]).optional(),
  /** Sealed: `user:password` of the RTSP URL (absent when it has none), or a push camera's stream key. */
  credentials: z.string().min(1).max(4096).optional(),
  record: z.boolean().optional(),
  retentionHours: z.number().positive().max(24 * 365).optional(),
  by: actorSchema.optional(),
};

/** `camera.configured` v1: created (every field given) or changed (the fields present replace). */
const cameraConfiguredSchema = z.strictObject(cameraSettings);

/** `camera.removed` v1: stop relaying, drop the mountpoint and the recordings. */
const cameraRemovedSchema = z.strictObject({ by: actorSchema.optional() });

/** `camera.stream.online` v1: the supervisor relays the stream (WebRTC and HLS). */
const cameraStreamOnlineSchema = z.strictObject({
  source: z.enum(["rtsp", "push"]),
  codec: z.string().min(1).max(64).optional(),
  width: z.int().min(1).max(100_000).optional(),
  height: z.int().min(1).max(100_000).optional(),
});

/** `camera.stream.offline` v1: no relay, and why (`unreachable host`, `wrong credentials (401)`, …). */
const cameraStreamOfflineSchema = z.strictObject({ reason: reasonSchema });

export const cameraEvents = {
  "camera.configured": defineEvent({
    family: "device",
    schema: cameraConfiguredSchema,
    secretFields: ["credentials"],
  }),
  "camera.removed": defineEvent({ family: "device", schema: cameraRemovedSchema }),
  "camera.stream.online": defineEvent({ family: "device", schema: cameraStreamOnlineSchema }),
  "camera.stream.offline": defineEvent({ family: "device", schema: cameraStreamOfflineSchema }),
} as const;
