/**
 * The in-memory `WebhookStore` fake: endpoints and deliveries in maps, with the rules of the SQL
 * store (idempotent enqueue by endpoint and event, due deliveries of enabled endpoints only,
 * newest-first keyset pages of deliveries).
 */
import type { NewDelivery, WebhookDelivery, WebhookEndpoint, WebhookStore } from "../webhooks/store.ts";
import { ConflictError } from "../errors.ts";
import { decodeCursor, pageLimit, toPage } from "../readmodels/mod.ts";

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** A fresh, empty fake. */
export function createInMemoryWebhookStore(): WebhookStore {
  const endpoints = new Map<string, WebhookEndpoint>();
  const deliveries = new Map<string, WebhookDelivery>();
  const byEndpointEvent = new Set<string>();
  let version = 0;
  const copy = <T>(value: T): T => structuredClone(value);
  const pairKey = (endpointId: string, eventId: string) => `${endpointId}\n${eventId}`;

  return {
    migrate: () => Promise.resolve(),
    createEndpoint(endpoint) {
      if (endpoints.has(endpoint.id)) {
        return Promise.reject(new ConflictError(`Webhook "${endpoint.id}" already exists`));
      }
      endpoints.set(endpoint.id, copy(endpoint));
      version++;
      return Promise.resolve();
    },
    getEndpoint: (id) => Promise.resolve(copy(endpoints.get(id))),
    listEndpoints: () =>
      Promise.resolve(
        [...endpoints.values()].sort((a, b) => compare(a.createdAt, b.createdAt) || compare(a.id, b.id)).map(
          copy,
        ),
      ),
    deleteEndpoint(id) {
      if (!endpoints.delete(id)) return Promise.resolve(false);
      for (const delivery of [...deliveries.values()]) {
        if (delivery.endpointId !== id) continue;
        deliveries.delete(delivery.id);
        byEndpointEvent.delete(pairKey(id, delivery.eventId));
      }
      version++;
      return Promise.resolve(true);
    },
    disableEndpoint(id, reason) {
      const endpoint = endpoints.get(id);
      if (!endpoint) return Promise.resolve();
      endpoints.set(id, { ...endpoint, enabled: false, disabledReason: reason });
      for (const delivery of deliveries.values()) {
        if (delivery.endpointId !== id || delivery.status !== "pending") continue;
        const { nextAttemptAt: _next, ...rest } = delivery;
        deliveries.set(delivery.id, { ...rest, status: "failed", lastError: reason });
      }
      version++;
      return Promise.resolve();
    },
    endpointsVersion: () => Promise.resolve(version),
    enqueue(batch: readonly NewDelivery[]) {
      let added = 0;
      for (const d of batch) {
        const key = pairKey(d.endpointId, d.eventId);
        if (!endpoints.has(d.endpointId) || byEndpointEvent.has(key) || deliveries.has(d.id)) continue;
        byEndpointEvent.add(key);
        deliveries.set(d.id, { ...copy(d), status: "pending", attempts: 0 });
        added++;
      }
      return Promise.resolve(added);
    },
    due(endpointId, now, limit) {
      if (!endpoints.get(endpointId)?.enabled) return Promise.resolve([]);
      const due = [...deliveries.values()]
        .filter((d) => d.endpointId === endpointId && d.status === "pending" && d.nextAttemptAt! <= now)
        .sort((a, b) => compare(a.nextAttemptAt!, b.nextAttemptAt!) || compare(a.id, b.id));
      return Promise.resolve(due.slice(0, limit).map(copy));
    },
    claim(id, due, leaseUntil) {
      const delivery = deliveries.get(id);
      if (delivery?.status !== "pending" || delivery.nextAttemptAt !== due) return Promise.resolve(false);
      deliveries.set(id, { ...delivery, nextAttemptAt: leaseUntil });
      return Promise.resolve(true);
    },
    recordAttempt(id, record) {
      const delivery = deliveries.get(id);
      if (!delivery) return Promise.resolve();
      const { lastStatus: _s, lastError: _e, nextAttemptAt: _n, ...kept } = delivery;
      deliveries.set(id, { ...kept, ...copy(record) });
      return Promise.resolve();
    },
    // deno-lint-ignore require-await -- a bad cursor rejects, as it does on SQL
    async listDeliveries(endpointId, options = {}) {
      const limit = pageLimit(options.limit);
      const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
      const rows = [...deliveries.values()]
        .filter((d) => d.endpointId === endpointId && (after === undefined || d.id < after))
        .sort((a, b) => compare(b.id, a.id))
        .slice(0, limit + 1)
        .map(copy);
      return toPage(rows, limit, (d) => d.id);
    },
    close: () => Promise.resolve(),
  };
}
