/**
 * @module
 * The `gateway-control` processor: registry changes that must reach live connections at once.
 * A rotated token or a decommissioned device drops every connection of that device and forgets
 * its cached credential checks, so the old token stops working immediately.
 * Each gateway instance reads with its own group from "latest": it controls its own connections.
 */
import type { DeviceGateway } from "../../core/gateway/device_gateway.ts";
import type { ProcessorDefinition } from "../../core/processing/processor.ts";

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
      for (const e of events) {
        gateway.forgetDevice(e.key);
        gateway.disconnectDevice(
          e.key,
          e.type === "device.decommissioned" ? "decommissioned" : "credentials_rotated",
        );
      }
    },
  };
}
