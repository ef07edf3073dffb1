/**
 * Event builders for read-model specs and the contract: valid catalog events with a controlled
 * clock, so ids (UUIDv7) and times are deterministic in order and tests can state expected rows.
 */
import type { z } from "zod";
import { createEvent, type DomainEvent, type eventCatalog, type EventType } from "../events/catalog.ts";

/** `data` as `createEvent` accepts it for type `T`. */
export type EventInput<T extends EventType> = z.input<(typeof eventCatalog)[T]["schema"]>;

/** The first instant of the fixture clock: 2025-01-01T00:00:00.000Z. */
export const FIXTURE_EPOCH = Date.UTC(2025, 0, 1);

/** The ISO time `seconds` after the fixture epoch. */
export function fixtureTime(seconds: number): string {
  return new Date(FIXTURE_EPOCH + seconds * 1000).toISOString();
}

export interface EventClock {
  /**
   * A new event of `type` for device `key`, `seconds` after the epoch (default: one second after
   * the previous one). Ids increase with every call.
   */
  event<T extends EventType>(type: T, key: string, data: EventInput<T>, seconds?: number): DomainEvent;
}

/** A fresh clock; every clock starts at the fixture epoch. */
export function eventClock(): EventClock {
  let seconds = 0;
  let tick = 0;
  return {
    event(type, key, data, at) {
      seconds = at ?? seconds + 1;
      tick++;
      return createEvent(type, data, {
        key,
        source: "test",
        time: fixtureTime(seconds),
        now: () => FIXTURE_EPOCH + tick,
      }) as DomainEvent;
    },
  };
}

/** A credential hash as the API would store it. */
export function credential(seed: string): { algorithm: "sha256"; hash: string } {
  return { algorithm: "sha256", hash: `hash-${seed}`.padEnd(16, "0") };
}
