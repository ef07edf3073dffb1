/**
 * A registry change that takes a device's right to connect away: its token was rotated, or it
 * was decommissioned. Gateways learn of it from the device topic (and, in the process that made
 * it, at once) while the registry read model they authenticate against may still lag behind.
 */
import type { DomainEvent } from "../events/catalog.ts";

export type Revocation =
  | { kind: "decommissioned"; eventId: string }
  | { kind: "credentials_rotated"; credential: { algorithm: string; hash: string }; eventId: string };

/** The revocation an event records, or undefined. `eventId` (UUIDv7) orders revocations of one device. */
export function revocationOf(event: DomainEvent): Revocation | undefined {
  if (event.type === "device.decommissioned") return { kind: "decommissioned", eventId: event.id };
  if (event.type === "device.credentials.rotated") {
    return { kind: "credentials_rotated", credential: event.data.credential, eventId: event.id };
  }
  return undefined;
}
