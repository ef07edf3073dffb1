/**
 * The dependencies of the /api/v1 routes with their defaults filled in, and the one way routes
 * write: `append` puts events on the log and waits for the read models to catch up.
 */
import type { DomainEvent } from "../../core/events/catalog.ts";
import { uuidv7 } from "../../core/events/uuid_v7.ts";
import type { AppendAck } from "../../core/log/event_log.ts";
import type { RegistryDeps } from "../../core/devices/registry.ts";
import { createInProcessDeviceIdClaims } from "../../core/devices/device_id_claims.ts";
import type { AppDeps } from "../deps.ts";
import { waitForProjection } from "../projection_wait.ts";
import { getDevice } from "../../core/readmodels/mod.ts";

export interface ApiContext {
  deps: AppDeps;
  now: () => number;
  newId: () => string;
  /** Appends to `topic`, then waits (bounded) until the read models projected the events. */
  append(topic: string, events: DomainEvent[]): Promise<AppendAck[]>;
  /** The registry operations' dependencies (`core/devices/registry.ts`), appending to the device topic. */
  registry: RegistryDeps;
}

export function apiContext(deps: AppDeps): ApiContext {
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? (() => uuidv7(now()));
  const append = async (topic: string, events: DomainEvent[]) => {
    const acks = await deps.appendEvents(topic, events);
    await waitForProjection(deps.readModels, topic, acks, deps.projection ?? {});
    return acks;
  };
  return {
    deps,
    now,
    newId,
    append,
    registry: {
      findDevice: (id) => getDevice(deps.readModels, id),
      appendDeviceEvents: (events) => append(deps.topics.device, events),
      generateToken: deps.generateToken,
      hashSecret: deps.hashSecret,
      newDeviceId: newId,
      now,
      ...(deps.brokerAccounts ? { brokerAccounts: deps.brokerAccounts } : {}),
      deviceIdClaims: deps.deviceIdClaims ?? createInProcessDeviceIdClaims(),
    },
  };
}
