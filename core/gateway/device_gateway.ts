/**
 * The DeviceGateway port as processors see it: downlinks to devices and control of their
 * connections. The embedded MQTT broker implements it; processors never touch MQTT themselves.
 */
import type { Revocation } from "./revocation.ts";

export type DownlinkSuffix = `commands/${string}` | "state/desired" | "ota" | "errors";

export interface DeviceGateway {
  /** Publishes JSON to `devices/{deviceId}/{suffix}`; resolves once handed to the device's subscriptions. */
  publishToDevice(deviceId: string, suffix: DownlinkSuffix, payload: object, qos?: 0 | 1): Promise<void>;
  /** True while the device has at least one live connection to this gateway. */
  isConnected(deviceId: string): boolean;
  /** Closes every connection of the device; returns how many. */
  disconnectDevice(deviceId: string, reason: string): number;
  /**
   * Forgets cached credential checks of the device (after rotation or decommissioning); with
   * `revocation`, also refuses what it revoked until the registry read model shows it.
   */
  forgetDevice(deviceId: string, revocation?: Revocation): void;
}
