/**
 * @module
 * The `gateway-control` processor: registry changes that must reach live connections at once.
 * A rotated token or a decommissioned device drops every connection of that device, forgets its
 * cached credential checks and hands the gateway the revocation, which it holds against
 * reconnects until its registry read model shows the change: the read model may lag behind this
 * processor, and the device would otherwise be let straight back in with its old token.
 * Each gateway instance reads with its own group from "latest": it controls its own connections.
 */
import type { DomainEvent } from "../../core/events/catalog.ts";
import type { DeviceGateway } from "../../core/gateway/device_gateway.ts";
import { revocationOf } from "../../core/gateway/revocation.ts";
import type { ProcessorDefinition } from "../../core/processing/processor.ts";

/**
 * Applies the revocations among `events` to `gateway`. Also called by the process that appended
 * them, right after the append, so its own gateway does not wait for this processor to see them.
 */
export function applyRevocations(gateway: DeviceGateway, events: readonly DomainEvent[]): void {
  for (const e of events) {
    const revocation = revocationOf(e);
    if (!revocation) continue;
    gateway.forgetDevice(e.key, revocation);
    gateway.disconnectDevice(e.key, revocation.kind);
  }
}

export function gatewayControl(
  gateway: DeviceGateway,
  deviceTopic: string,
  instance: string,
): ProcessorDefinition {
  return {
    name: `gateway-control-${instance}`,
    topics: [deviceTopic],
    handles: ["device.credentials.rotated", "device.decommissioned"],
    handle(events) {
      applyRevocations(gateway, events);
    },
  };
}
