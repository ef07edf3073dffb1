/**
 * When an event happened, in epoch ms, for measuring how old it is when it is processed. The
 * envelope's `time` is the device clock when the device gave one, else the ingest time; a
 * `telemetry.reported` batch keeps the ingest time there and the device clock per value, so its
 * newest value timestamp is what the device last measured (≈ when it published).
 */
import type { DomainEvent } from "./catalog.ts";

export function occurredAt(event: DomainEvent): number {
  if (event.type === "telemetry.reported") {
    let newest = -Infinity;
    for (const { ts } of event.data.values) if (ts > newest) newest = ts;
    if (newest > -Infinity) return newest;
  }
  return Date.parse(event.time);
}
