/**
 * Device registry operations. Each one checks the current registry, then records the change as
 * an event on the device topic: the registry read model, device auth and every replay follow from
 * those events. Tokens are generated here, returned once, and only their hash enters the log.
 *
 * An external broker keeps accounts of its own (`BrokerAccounts`), which can only be given a token
 * here, where it is known in plain text. Every operation changes the broker first and appends its
 * event second, so a broker failure fails the call (503 naming the broker) before anything is
 * recorded, and a failure between the two never leaves a token working that the registry does not
 * know of:
 * - register: the account exists but nobody was shown its token; a retry provisions it again with
 *   a fresh one (not undone: disabling it would strand a registration whose append did land while
 *   its answer was lost);
 * - rotate: the broker has a token nobody was shown, the old one already fails; a retry fixes it;
 * - decommission: the broker refuses the device while the registry still lists it; a retry
 *   records it. The other order would let a decommissioned device keep connecting.
 *
 * Registration claims its id first (`DeviceIdClaims`): the registry check alone would let
 * concurrent registrations of one id all pass before any of their events is projected.
 */
import { type BrokerAccounts, NO_BROKER_ACCOUNTS } from "./broker_accounts.ts";
import { DEVICE_ID_CLAIM_TTL_MS, type DeviceIdClaims } from "./device_id_claims.ts";
import { createEvent, type DomainEvent } from "../events/catalog.ts";
import { ConflictError, InfrastructureError, NotFoundError, ValidationError } from "../errors.ts";

export interface RegistryDeps {
  /** The device as the registry read model knows it. */
  findDevice(id: string): Promise<{ status: "active" | "decommissioned" } | undefined>;
  /** Appends device events durably (to the device topic); resolves with their offsets. */
  appendDeviceEvents(events: DomainEvent[]): Promise<unknown>;
  generateToken(): string;
  hashSecret(token: string): Promise<{ algorithm: "scrypt"; hash: string }>;
  /** A new device id when none is given. */
  newDeviceId(): string;
  now?: () => number;
  /** The device accounts of an external MQTT broker. Default: none (the embedded broker reads the registry). */
  brokerAccounts?: BrokerAccounts;
  /**
   * Leases that make concurrent registrations of one id exclude each other. The API always
   * passes them; without (callers that register one device at a time: the CLI, the demo) only
   * the registry check refuses a duplicate.
   */
  deviceIdClaims?: DeviceIdClaims;
}

export interface NewDevice {
  id?: string;
  name?: string;
  model?: string;
  labels?: Record<string, string>;
  /** `camera` for a video source (issue 19); absent for an MQTT device. */
  kind?: "device" | "camera";
}

const DEVICE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

function checkId(id: string): void {
  if (!DEVICE_ID.test(id)) {
    throw new ValidationError(`Invalid device id "${id.slice(0, 140)}"`, {
      details: [{ path: "id", message: "expected 1-128 characters of A-Z a-z 0-9 _ . : -" }],
    });
  }
}

/** Runs a broker account change; its failure is a 503 that names the broker. */
async function inBroker(what: string, id: string, change: () => Promise<void>): Promise<void> {
  try {
    await change();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InfrastructureError(`Cannot ${what} of device "${id}" in the MQTT broker: ${reason}`, {
      cause: error,
      retriable: true,
    });
  }
}

const accountsOf = (deps: RegistryDeps) => deps.brokerAccounts ?? NO_BROKER_ACCOUNTS;

async function requireActive(deps: RegistryDeps, id: string): Promise<void> {
  checkId(id);
  const device = await deps.findDevice(id);
  if (!device) throw new NotFoundError(`Device "${id}" does not exist`);
  if (device.status === "decommissioned") throw new ConflictError(`Device "${id}" is decommissioned`);
}

/**
 * Runs `register` holding the claim on `id`: a concurrent registration of the same id is a 409.
 * The claim is released when `register` fails, so a retry need not wait for it to expire.
 */
async function withIdClaim<T>(deps: RegistryDeps, id: string, register: () => Promise<T>): Promise<T> {
  const claims = deps.deviceIdClaims;
  if (!claims) return await register();
  const owner = crypto.randomUUID();
  const now = (deps.now ?? Date.now)();
  if (!await claims.claim(id, { owner, now, expiresAt: now + DEVICE_ID_CLAIM_TTL_MS })) {
    throw new ConflictError(`Device "${id}" already exists (or is being registered)`);
  }
  try {
    return await register();
  } catch (error) {
    await claims.release(id, owner).catch(() => {
      // The lease then expires by itself; the registration's own error is the one to report.
    });
    throw error;
  }
}

/** Registers a device with a fresh token; the token is in the result and nowhere else. */
export async function registerDevice(
  deps: RegistryDeps,
  input: NewDevice,
  by: string,
): Promise<{ id: string; token: string; event: DomainEvent }> {
  const id = input.id ?? deps.newDeviceId();
  checkId(id);
  return await withIdClaim(deps, id, async () => {
    if (await deps.findDevice(id)) throw new ConflictError(`Device "${id}" already exists`);
    const token = deps.generateToken();
    const credential = await deps.hashSecret(token);
    const event = createEvent("device.registered", {
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.model === undefined ? {} : { model: input.model }),
      ...(input.labels === undefined ? {} : { labels: input.labels }),
      ...(input.kind === undefined ? {} : { kind: input.kind }),
      credential,
      by,
    }, { key: id, source: "api", ...(deps.now ? { now: deps.now } : {}) });
    await inBroker("create the account", id, () => accountsOf(deps).provisionDevice(id, token));
    await deps.appendDeviceEvents([event]);
    return { id, token, event };
  });
}

/** Replaces the device's token; connections using the old one are dropped by the gateway. */
export async function rotateDeviceToken(
  deps: RegistryDeps,
  id: string,
  by: string,
): Promise<{ token: string; event: DomainEvent }> {
  await requireActive(deps, id);
  const token = deps.generateToken();
  const event = createEvent("device.credentials.rotated", { credential: await deps.hashSecret(token), by }, {
    key: id,
    source: "api",
    ...(deps.now ? { now: deps.now } : {}),
  });
  await inBroker("set the new token", id, () => accountsOf(deps).provisionDevice(id, token));
  await deps.appendDeviceEvents([event]);
  return { token, event };
}

export async function updateDevice(
  deps: RegistryDeps,
  id: string,
  changes: Omit<NewDevice, "id">,
  by: string,
): Promise<DomainEvent> {
  await requireActive(deps, id);
  const event = createEvent("device.updated", { ...changes, by }, {
    key: id,
    source: "api",
    ...(deps.now ? { now: deps.now } : {}),
  });
  await deps.appendDeviceEvents([event]);
  return event;
}

/** The device may no longer connect; its history stays. */
export async function decommissionDevice(
  deps: RegistryDeps,
  id: string,
  by: string,
  reason?: string,
): Promise<DomainEvent> {
  await requireActive(deps, id);
  const event = createEvent("device.decommissioned", { by, ...(reason ? { reason } : {}) }, {
    key: id,
    source: "api",
    ...(deps.now ? { now: deps.now } : {}),
  });
  await inBroker("disable the account", id, () => accountsOf(deps).disableDevice(id));
  await deps.appendDeviceEvents([event]);
  return event;
}
