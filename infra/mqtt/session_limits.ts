/**
 * Bounds on the session state aedes keeps in memory, which its persistence (aedes-persistence)
 * has none of: a session with clean=false outlives its connection forever, and its queue of
 * QoS 1 downlinks grows with every message published to it while it is away. A device could open
 * persistent sessions under fresh client ids (`{id}-1`, `{id}-2`, …), leave them, and have every
 * rejection notice it provokes queued once per session.
 *
 * - A client's queue holds at most `maxQueuedPerClient` messages; a message beyond that is not
 *   queued for it (like mosquitto's `max_queued_messages`). Nothing essential is lost: the
 *   platform re-sends open commands and the desired-state delta on every connect.
 * - A persistent session is forgotten `sessionExpiryMs` after its connection closed, as a clean
 *   session is at once; the device then finds `sessionPresent = false` and subscribes again.
 * - A device keeps at most `maxOfflineSessionsPerDevice` offline persistent sessions; the one
 *   offline longest is forgotten first.
 *
 * Messages that `queueable` refuses are never queued (the gateway refuses uplinks: they are for
 * the log, not for other sessions).
 *
 * The queue cap counts in a wrapper around the persistence's own methods: queued messages leave
 * the in-memory queue only through `outgoingClearMessageId`, which returns what it removed.
 */
import { clearTimeout, setTimeout } from "node:timers";

export interface SessionLimits {
  /** Default 1,000. */
  maxQueuedPerClient: number;
  /** Default 24 h. */
  sessionExpiryMs: number;
  /** Default 4. */
  maxOfflineSessionsPerDevice: number;
}

export const DEFAULT_SESSION_LIMITS: Readonly<SessionLimits> = {
  maxQueuedPerClient: 1_000,
  sessionExpiryMs: 24 * 3_600_000,
  maxOfflineSessionsPerDevice: 4,
};

type ClientRef = { id: string };
type Subscriber = { clientId: string };

/** The part of aedes' persistence these bounds touch (methods called without a callback return promises). */
export interface SessionPersistence {
  outgoingEnqueue(sub: Subscriber, packet: unknown): Promise<void>;
  outgoingEnqueueCombi(subs: Subscriber[], packet: unknown): Promise<void>;
  outgoingClearMessageId(client: ClientRef, packet: unknown): Promise<unknown>;
  outgoingStream(client: ClientRef): AsyncIterable<unknown>;
  cleanSubscriptions(client: ClientRef): Promise<unknown>;
  cleanIncoming?(client: ClientRef): Promise<unknown>;
}

export interface SessionTracker {
  /** A client with internal id `clientId` of `deviceId` completed CONNECT. */
  connected(clientId: string): void;
  /** Its connection closed; `clean` is the session flag it connected with. */
  disconnected(deviceId: string, clientId: string, clean: boolean): void;
  /** Cancels pending expiries (the broker is closing). */
  close(): void;
}

export interface SessionLimitOptions {
  /** Messages that may be queued at all; default every one. */
  queueable?: (packet: unknown) => boolean;
  /** Timer for expiries; default `setTimeout`. Returns a cancel function. */
  schedule?: (run: () => void, ms: number) => () => void;
  onError?: (message: string, error: unknown) => void;
}

// Expiries must not keep a process alive that is otherwise done.
const defaultSchedule = (run: () => void, ms: number) => {
  const timer = setTimeout(run, ms).unref();
  return () => clearTimeout(timer);
};

/** Wraps `persistence` (in place) with the queue cap; returns the tracker that expires sessions. */
export function limitSessions(
  persistence: SessionPersistence,
  limits: SessionLimits,
  options: SessionLimitOptions = {},
): SessionTracker {
  const schedule = options.schedule ?? defaultSchedule;
  // The broker passes its logger's; alone (tests) a failure is left to the caller's checks.
  const onError = options.onError ?? (() => {});
  const queued = new Map<string, number>();

  const { outgoingEnqueueCombi, outgoingClearMessageId } = persistence;
  const hasRoom = (sub: Subscriber) => {
    const count = queued.get(sub.clientId) ?? 0;
    if (count >= limits.maxQueuedPerClient) return false;
    queued.set(sub.clientId, count + 1);
    return true;
  };
  const queueable = options.queueable ?? (() => true);
  persistence.outgoingEnqueueCombi = (subs, packet) =>
    outgoingEnqueueCombi.call(persistence, queueable(packet) ? subs.filter(hasRoom) : [], packet);
  persistence.outgoingEnqueue = (sub, packet) => persistence.outgoingEnqueueCombi([sub], packet);
  persistence.outgoingClearMessageId = async (client, packet) => {
    const removed = await outgoingClearMessageId.call(persistence, client, packet);
    const count = queued.get(client.id);
    if (removed && count !== undefined) {
      if (count > 1) queued.set(client.id, count - 1);
      else queued.delete(client.id);
    }
    return removed;
  };

  /** What a clean CONNECT would clear: subscriptions, QoS 2 receipts, queued messages. */
  async function forget(id: string): Promise<void> {
    const client = { id };
    await persistence.cleanSubscriptions(client);
    await persistence.cleanIncoming?.(client);
    for await (const packet of persistence.outgoingStream(client)) {
      await persistence.outgoingClearMessageId(client, packet);
    }
    queued.delete(id);
  }

  // Offline persistent sessions per device, oldest first, each with its expiry's cancel.
  const offline = new Map<string, Map<string, () => void>>();
  const deviceOf = new Map<string, string>();

  function drop(deviceId: string, clientId: string): void {
    const sessions = offline.get(deviceId);
    sessions?.get(clientId)?.();
    sessions?.delete(clientId);
    if (sessions?.size === 0) offline.delete(deviceId);
    deviceOf.delete(clientId);
  }

  function expire(deviceId: string, clientId: string): void {
    drop(deviceId, clientId);
    forget(clientId).catch((error) => onError(`cannot expire the session of ${clientId}`, error));
  }

  return {
    connected(clientId) {
      const deviceId = deviceOf.get(clientId);
      if (deviceId !== undefined) drop(deviceId, clientId);
    },
    disconnected(deviceId, clientId, clean) {
      if (clean) return; // aedes clears a clean session itself
      let sessions = offline.get(deviceId);
      if (!sessions) offline.set(deviceId, sessions = new Map());
      sessions.get(clientId)?.();
      sessions.delete(clientId);
      sessions.set(clientId, schedule(() => expire(deviceId, clientId), limits.sessionExpiryMs));
      deviceOf.set(clientId, deviceId);
      while (sessions.size > limits.maxOfflineSessionsPerDevice) {
        expire(deviceId, sessions.keys().next().value!);
      }
    },
    close() {
      for (const sessions of offline.values()) for (const cancel of sessions.values()) cancel();
      offline.clear();
      deviceOf.clear();
    },
  };
}
