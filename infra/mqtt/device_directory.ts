/**
 * What the gateway needs to know about a device to let it connect: whether it may, and the
 * stored hash of its token. The registry read model satisfies it; tests use a Map.
 */

/** One device as the gateway sees it. */
export interface DirectoryDevice {
  status: "active" | "decommissioned";
  /** The stored token hash (see `infra/auth/secrets.ts`); absent for certificate-only devices. */
  credential?: { algorithm: string; hash: string };
}

/** Looks devices up by id; resolves `undefined` for an unknown id. May reject when its store is down. */
export interface DeviceDirectory {
  findDevice(id: string): Promise<DirectoryDevice | undefined>;
}
