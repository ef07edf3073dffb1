/**
 * The name of every event type, in catalog order, as plain data. The catalog itself pulls in zod
 * and every schema; the dashboard needs only the names, so it imports this file and its bundle
 * stays small. `type_names_test.ts` keeps the list equal to the catalog's keys.
 */
import type { EventType } from "./catalog.ts";

export const eventTypeNames = [
  "telemetry.reported",
  "device.registered",
  "device.updated",
  "device.decommissioned",
  "device.credentials.rotated",
  "device.connected",
  "device.disconnected",
  "device.state.reported",
  "device.state.desired",
  "device.event.reported",
  "command.requested",
  "command.dispatched",
  "command.acked",
  "command.failed",
  "command.expired",
  "firmware.published",
  "ota.campaign.created",
  "ota.campaign.started",
  "ota.campaign.paused",
  "ota.campaign.completed",
  "ota.job.queued",
  "ota.job.progress",
  "ota.job.succeeded",
  "ota.job.failed",
  "rule.defined",
  "rule.changed",
  "rule.deleted",
  "alert.raised",
  "alert.updated",
  "alert.acknowledged",
  "alert.cleared",
  "input.rejected",
] as const satisfies readonly EventType[];
