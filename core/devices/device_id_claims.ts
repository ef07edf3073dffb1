/**
 * Leases on device ids being registered. The registry read model learns of a device only after
 * its `device.registered` event was appended and projected, so "look it up, then append" lets two
 * concurrent registrations of one id both pass the check: both answer 201 and only the token of
 * the event projected last works. A registration therefore first claims its id here, where
 * uniqueness is atomic (a primary key in the shared SQL database, so API replicas exclude each
 * other too), and only the holder goes on to the read-model check and the append.
 *
 * A lease is not released after a successful registration: it expires after `DEVICE_ID_CLAIM_TTL_MS`,
 * by which time the read model shows the device (the append already waited for the projection)
 * and refuses the id by itself. A failed registration releases its lease so that a retry can
 * claim it at once; a process that dies while holding one blocks the id until it expires.
 */

/** How long a claim holds: far beyond a registration (scrypt, broker, append, projection wait). */
export const DEVICE_ID_CLAIM_TTL_MS = 5 * 60_000;

export interface DeviceIdLease {
  /** Who holds it: a random id per registration, so a late release never ends another's lease. */
  owner: string;
  /** Epoch ms now: leases that expired by then are taken over. */
  now: number;
  /** Epoch ms the lease ends. */
  expiresAt: number;
}

export interface DeviceIdClaims {
  /** Takes the lease on `id`; false while another unexpired lease holds it. Atomic. */
  claim(id: string, lease: DeviceIdLease): Promise<boolean>;
  /** Ends the lease `owner` holds on `id`; a no-op when it holds none (expired and taken over). */
  release(id: string, owner: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Leases in a map: they exclude concurrent registrations within one process only, which is
 * enough where one process registers devices (the embedded all-in-one, tests). Several API
 * replicas need the SQL store (`infra/readmodels/sql_device_id_claims.ts`).
 */
export function createInProcessDeviceIdClaims(): DeviceIdClaims {
  const leases = new Map<string, { owner: string; expiresAt: number }>();
  return {
    claim(id, lease) {
      // Insertion order is about expiry order (one TTL), so the sweep stops at the first live lease.
      for (const [held, { expiresAt }] of leases) {
        if (expiresAt > lease.now) break;
        leases.delete(held);
      }
      const current = leases.get(id);
      if (current && current.expiresAt > lease.now) return Promise.resolve(false);
      leases.delete(id);
      leases.set(id, { owner: lease.owner, expiresAt: lease.expiresAt });
      return Promise.resolve(true);
    },
    release(id, owner) {
      if (leases.get(id)?.owner === owner) leases.delete(id);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
