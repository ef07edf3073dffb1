/**
 * Revocations the registry read model does not show yet. The gateway authenticates against that
 * read model, which lags behind the log: without this list, a device decommissioned (or whose
 * token was rotated) a moment ago would reconnect at once and be admitted with its old token.
 * A revocation is laid over the directory's answer until that answer shows it, then dropped.
 *
 * Entries come from registry events (made by administrators, never by devices), so the list stays
 * small; `maxAgeMs` still bounds it in case the read model never catches up with a device (it was
 * rebuilt, or a later rotation overtook the one held here), after which the read model is trusted.
 */
import type { Revocation } from "../../core/gateway/revocation.ts";
import type { DirectoryDevice } from "./device_directory.ts";

export interface PendingRevocations {
  /** Holds `revocation` of `deviceId`; of two rotations the later one (by event id) wins. */
  add(deviceId: string, revocation: Revocation): void;
  /** The directory's answer with the pending revocations of `deviceId` applied; drops those it shows. */
  apply(deviceId: string, device: DirectoryDevice | undefined): DirectoryDevice | undefined;
  /** Devices with pending revocations. */
  readonly size: number;
}

/** What is pending for one device. */
interface Pending {
  decommissioned?: true;
  rotation?: { credential: { algorithm: string; hash: string }; eventId: string };
  expiresAt: number;
}

export interface PendingRevocationsOptions {
  /** How long a revocation is held when the directory never shows it. Default 1 hour. */
  maxAgeMs?: number;
  /** Epoch ms. Default `Date.now`. */
  now?: () => number;
}

export function createPendingRevocations(options: PendingRevocationsOptions = {}): PendingRevocations {
  const maxAgeMs = options.maxAgeMs ?? 60 * 60_000;
  const now = options.now ?? Date.now;
  const pending = new Map<string, Pending>();

  function current(deviceId: string): Pending | undefined {
    const entry = pending.get(deviceId);
    if (entry && entry.expiresAt <= now()) pending.delete(deviceId);
    return pending.get(deviceId);
  }

  return {
    add(deviceId, revocation) {
      const entry = current(deviceId) ?? { expiresAt: 0 };
      // Re-inserted at the end, so the map stays in expiry order and the sweep stops early.
      pending.delete(deviceId);
      for (const [id, other] of pending) {
        if (other.expiresAt > now()) break;
        pending.delete(id);
      }
      entry.expiresAt = now() + maxAgeMs;
      if (revocation.kind === "decommissioned") entry.decommissioned = true;
      else if (!entry.rotation || entry.rotation.eventId < revocation.eventId) {
        entry.rotation = { credential: revocation.credential, eventId: revocation.eventId };
      }
      pending.set(deviceId, entry);
    },

    apply(deviceId, device) {
      const entry = current(deviceId);
      if (!entry || !device) return device;
      let seen = device;
      if (entry.decommissioned) {
        if (device.status === "decommissioned") delete entry.decommissioned;
        else seen = { ...seen, status: "decommissioned" };
      }
      if (entry.rotation) {
        if (device.credential?.hash === entry.rotation.credential.hash) delete entry.rotation;
        else seen = { ...seen, credential: entry.rotation.credential };
      }
      if (!entry.decommissioned && !entry.rotation) pending.delete(deviceId);
      return seen;
    },

    get size() {
      return pending.size;
    },
  };
}
