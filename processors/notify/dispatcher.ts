/**
 * Sends due webhook deliveries, outside the processor's batch path. Each enabled endpoint has at
 * most one worker and one request in flight: a worker takes a page of that endpoint's due
 * deliveries, sends them one by one, records each outcome (`afterAttempt`), and takes the next
 * page until none is due. A slow or dead endpoint therefore only delays itself; other endpoints
 * have workers of their own, and the runner's batches never wait for any of them. Memory is
 * bounded by `pageSize` deliveries per endpoint.
 *
 * `wake()` starts workers for endpoints that have none; it is called after each enqueue and on
 * every tick, which is also when retries that became due are picked up.
 */
import { afterAttempt, type AttemptOutcome } from "../../core/webhooks/retry_schedule.ts";
import type { WebhookSender } from "../../core/webhooks/sender.ts";
import { signatureHeaders } from "../../core/webhooks/signing.ts";
import type { SecretBox, WebhookDelivery, WebhookEndpoint, WebhookStore } from "../../core/webhooks/store.ts";
import { type Logger, noopLogger } from "../../core/logging/mod.ts";

/** One finished attempt, for metrics and logs. */
export interface AttemptReport {
  endpointId: string;
  deliveryId: string;
  outcome: AttemptOutcome;
  /** What the delivery became: delivered, pending (a retry is scheduled) or failed. */
  result: "delivered" | "retry" | "failed";
  ms: number;
}

export interface DispatcherOptions {
  store: WebhookStore;
  sender: WebhookSender;
  secrets: SecretBox;
  /** Delays between attempts, seconds. Default: `DEFAULT_RETRY_SECONDS`. */
  retrySeconds?: readonly number[];
  now?: () => number;
  /** Deliveries taken per endpoint at a time. Default 20. */
  pageSize?: number;
  /**
   * How long a claimed delivery is held for its attempt (longer than the sender's timeout): when
   * the process dies mid-attempt, it is due again after this. Default 120,000 ms.
   */
  leaseMs?: number;
  onAttempt?: (report: AttemptReport) => void;
  /** A worker stopped on an error (the store away); it is started again by the next `wake()`. */
  onError?: (error: unknown, endpointId: string) => void;
  /** Failed attempts and stopped workers (without `onError`). Default: none. */
  logger?: Logger;
}

export interface WebhookDispatcher {
  /** Starts a worker for every enabled endpoint that has none; returns at once. */
  wake(): void;
  /** Endpoints with a worker running now (for metrics). */
  busy(): number;
  /** Resolves once no scan and no worker runs (for tests: after `wake()`, everything due was tried). */
  idle(): Promise<void>;
  /** Aborts requests in flight and waits for the workers to end. */
  stop(): Promise<void>;
}

export function createWebhookDispatcher(options: DispatcherOptions): WebhookDispatcher {
  const { store, sender, secrets } = options;
  const logger = options.logger ?? noopLogger;
  const now = options.now ?? Date.now;
  const pageSize = options.pageSize ?? 20;
  const leaseMs = options.leaseMs ?? 120_000;
  const workers = new Map<string, Promise<void>>();
  /** Endpoints woken while their worker ran: it looks once more before it ends. */
  const wokenWhileBusy = new Set<string>();
  const stopping = new AbortController();
  let scanning: Promise<void> | undefined;
  let rescan = false;
  const lastLogged = new Map<string, number>();
  // Without `onError`, a lasting failure (the store away, a secret that no longer opens) is
  // logged once per endpoint and 30 s, not on every tick.
  const reportError = options.onError ?? ((error: unknown, endpointId: string) => {
    const at = now();
    if ((lastLogged.get(endpointId) ?? -Infinity) > at - 30_000) return;
    lastLogged.set(endpointId, at);
    logger.error("webhook worker stopped (retried on the next tick)", { endpointId, error });
  });

  async function attempt(
    endpoint: WebhookEndpoint,
    secret: string,
    delivery: WebhookDelivery,
  ): Promise<boolean> {
    const started = now();
    // Another notify replica may have taken it since `due()`: then it is theirs.
    if (!await store.claim(delivery.id, delivery.nextAttemptAt!, started + leaseMs)) return true;
    const timestamp = Math.floor(started / 1000);
    const headers = {
      "content-type": "application/json",
      "user-agent": "AIOT-Webhooks/1",
      ...(await signatureHeaders(secret, { id: delivery.eventId, timestamp, body: delivery.body })),
    };
    const outcome = await sender.send({
      url: endpoint.url,
      headers,
      body: delivery.body,
      signal: stopping.signal,
    });
    if (stopping.signal.aborted) {
      // Cut short by the stop, not the receiver's fault: give the claim back (when the store is
      // still there), so a restart sends it at once rather than after the lease.
      await store.claim(delivery.id, started + leaseMs, delivery.nextAttemptAt!).catch(() => {});
      return false;
    }
    const after = afterAttempt(delivery.attempts, outcome, {
      now: now(),
      ...(options.retrySeconds ? { retrySeconds: options.retrySeconds } : {}),
    });
    await store.recordAttempt(delivery.id, after.record);
    if (after.disableEndpoint) await store.disableEndpoint(endpoint.id, after.disableEndpoint);
    if (after.record.status !== "delivered") {
      // The URL may carry credentials (userinfo, a token parameter): the logger redacts them.
      logger.warn(after.record.status === "failed" ? "webhook delivery failed" : "webhook attempt failed", {
        endpointId: endpoint.id,
        deliveryId: delivery.id,
        url: endpoint.url,
        attempt: delivery.attempts + 1,
        ...outcome,
        ...(after.disableEndpoint ? { endpointDisabled: after.disableEndpoint } : {}),
      });
    }
    options.onAttempt?.({
      endpointId: endpoint.id,
      deliveryId: delivery.id,
      outcome,
      result: after.record.status === "pending" ? "retry" : after.record.status,
      ms: now() - started,
    });
    return after.disableEndpoint === undefined;
  }

  async function work(endpoint: WebhookEndpoint): Promise<void> {
    const secret = await secrets.open(endpoint.secret, endpoint.id);
    while (!stopping.signal.aborted) {
      wokenWhileBusy.delete(endpoint.id);
      const page = await store.due(endpoint.id, now(), pageSize);
      if (page.length === 0 && !wokenWhileBusy.has(endpoint.id)) return;
      for (const delivery of page) {
        if (stopping.signal.aborted || !await attempt(endpoint, secret, delivery)) return;
      }
    }
  }

  function start(endpoint: WebhookEndpoint): void {
    const worker = work(endpoint)
      .catch((error) => {
        if (!stopping.signal.aborted) reportError(error, endpoint.id);
      })
      .finally(() => {
        workers.delete(endpoint.id);
        wokenWhileBusy.delete(endpoint.id);
      });
    workers.set(endpoint.id, worker);
  }

  async function scan(): Promise<void> {
    do {
      rescan = false;
      for (const endpoint of await store.listEndpoints()) {
        if (stopping.signal.aborted) return;
        if (!endpoint.enabled) continue;
        if (workers.has(endpoint.id)) wokenWhileBusy.add(endpoint.id);
        else start(endpoint);
      }
    } while (rescan);
  }

  return {
    wake() {
      if (stopping.signal.aborted) return;
      // A wake during a scan may concern deliveries the scan's endpoint list predates: scan again.
      if (scanning) {
        rescan = true;
        return;
      }
      scanning = scan()
        .catch((error) => reportError(error, "*"))
        .finally(() => (scanning = undefined));
    },
    busy: () => workers.size,
    async idle() {
      while (scanning || workers.size > 0) {
        await scanning;
        await Promise.all(workers.values());
      }
    },
    async stop() {
      stopping.abort();
      await scanning;
      await Promise.all(workers.values());
    },
  };
}
