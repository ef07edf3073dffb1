/**
 * @module
 * The embedded DeviceGateway: an in-process MQTT broker (`npm:aedes`) on TCP, TLS and WebSocket
 * that authenticates devices (token or client certificate), confines each to
 * `devices/{its id}/…`, appends every uplink to the event log before acknowledging it (group
 * commit), dead-letters and reports rejected uplinks, records connects and disconnects, and
 * publishes downlinks. What one peer may cost it is bounded by `BrokerLimits` (connections per
 * address and in total, packet sizes before and after authentication, CONNECT timeout, queued
 * downlinks and offline sessions).
 *
 * ```ts ignore
 * // In a composition root (a main.ts), with ingestUplink from processors/ingest:
 * const broker = await createEmbeddedBroker({
 *   log, topicPrefix: "aiot.", directory, mqttPort: 1883,
 *   ingest: (uplink) => ingestUplink(uplink, { limits }),
 * });
 * await broker.publishToDevice("dev-1", "commands/c-1", { name: "reboot", expiresAt }, 1);
 * ```
 */
export {
  type BrokerLimits,
  createEmbeddedBroker,
  type DownlinkSuffix,
  type EmbeddedBroker,
  type EmbeddedBrokerOptions,
} from "./embedded_broker.ts";
export type { DeviceDirectory, DirectoryDevice } from "./device_directory.ts";
export type { IngestUplink, RejectionNotice, Uplink, UplinkResult } from "./uplink_intake.ts";
export type { GroupCommitOptions } from "./group_commit.ts";
