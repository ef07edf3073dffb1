/**
 * A device uplink and what ingest makes of it: the shapes shared by the gateways (infra/mqtt,
 * infra/mqtt_external), which receive uplinks, and the ingest parser (processors/ingest), which
 * turns them into events or a rejection.
 */
import type { DomainEvent } from "../events/catalog.ts";

/** One device uplink as the broker received it. */
export interface Uplink {
  /** The authenticated device (MQTT username or certificate CN). */
  deviceId: string;
  clientId?: string;
  topic: string;
  payload: Uint8Array;
  qos?: 0 | 1 | 2;
  /**
   * W3C trace context the device sent (an MQTT 5 user property `traceparent`): the gateway's span
   * continues that trace instead of starting one.
   */
  traceparent?: string;
}

/** The notice published on `devices/{id}/errors` for a rejected uplink. */
export interface RejectionNotice {
  topic: string;
  reason: string;
  at: string;
}

/** Events to append, or a rejection: `input.rejected` for the dead-letter topic plus the device's notice. */
export type UplinkResult =
  | { ok: true; events: DomainEvent[] }
  | { ok: false; reason: string; rejected: DomainEvent; notice: RejectionNotice };
