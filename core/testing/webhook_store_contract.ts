/**
 * The one contract every `WebhookStore` passes: the in-memory fake, SQLite and PostgreSQL.
 *
 * ```ts
 * for (const c of webhookStoreContract) Deno.test(`WebhookStore contract [sqlite] › ${c.name}`, () => c.run(factory));
 * ```
 * The factory returns a migrated, empty store; the case closes it.
 */
import assert from "node:assert/strict";
import { ConflictError, ValidationError } from "../errors.ts";
import type { NewDelivery, WebhookDelivery, WebhookEndpoint, WebhookStore } from "../webhooks/store.ts";

export type WebhookStoreFactory = () => Promise<WebhookStore>;

export interface WebhookStoreContractCase {
  name: string;
  run(newStore: WebhookStoreFactory): Promise<void>;
}

const T = Date.UTC(2026, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();

const endpoint = (id: string, extra: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
  id,
  url: `https://hooks.example.com/${id}`,
  types: ["alert.raised", "device.registered"],
  secret: `sealed-${id}`,
  enabled: true,
  createdAt: iso(T),
  ...extra,
});

let ids = 0;
/** Delivery ids sort in creation order, as UUIDv7s do. */
const delivery = (endpointId: string, eventId: string, nextAttemptAt = T): NewDelivery => ({
  id: `d-${String(++ids).padStart(8, "0")}`,
  endpointId,
  eventId,
  type: "alert.raised",
  body: `{"type":"alert.raised","data":{"id":"${eventId}"}}`,
  createdAt: iso(nextAttemptAt),
  nextAttemptAt,
});

async function withStore(newStore: WebhookStoreFactory, fn: (store: WebhookStore) => Promise<void>) {
  const store = await newStore();
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

const pick = (d: WebhookDelivery | undefined) =>
  d && {
    status: d.status,
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    nextAttemptAt: d.nextAttemptAt,
  };

async function only(store: WebhookStore, endpointId: string): Promise<WebhookDelivery> {
  const { items } = await store.listDeliveries(endpointId);
  assert.equal(items.length, 1);
  return items[0]!;
}

export const webhookStoreContract: WebhookStoreContractCase[] = [
  {
    name: "creates, gets and lists endpoints; a taken id is a ConflictError",
    run: (f) =>
      withStore(f, async (store) => {
        const b = endpoint("b", { createdAt: iso(T + 1), description: "ops pager", types: ["alert.raised"] });
        await store.createEndpoint(b);
        await store.createEndpoint(endpoint("a"));
        await assert.rejects(store.createEndpoint(endpoint("a")), ConflictError);
        assert.deepEqual(await store.getEndpoint("b"), b);
        assert.deepEqual(await store.getEndpoint("a"), endpoint("a"));
        assert.equal(await store.getEndpoint("nope"), undefined);
        assert.deepEqual((await store.listEndpoints()).map((e) => e.id), ["a", "b"]);
      }),
  },
  {
    name: "the endpoints version moves on create, disable and delete, not on deliveries",
    run: (f) =>
      withStore(f, async (store) => {
        const versions = [await store.endpointsVersion()];
        await store.createEndpoint(endpoint("a"));
        versions.push(await store.endpointsVersion());
        await store.enqueue([delivery("a", "e1")]);
        assert.equal(await store.endpointsVersion(), versions[1]);
        await store.disableEndpoint("a", "gone");
        versions.push(await store.endpointsVersion());
        await store.deleteEndpoint("a");
        versions.push(await store.endpointsVersion());
        assert.equal(new Set(versions).size, 4, `versions ${versions}`);
      }),
  },
  {
    name: "enqueue is idempotent by endpoint and event, and drops deliveries of unknown endpoints",
    run: (f) =>
      withStore(f, async (store) => {
        await store.createEndpoint(endpoint("a"));
        await store.createEndpoint(endpoint("b"));
        assert.equal(await store.enqueue([delivery("a", "e1"), delivery("b", "e1"), delivery("x", "e1")]), 2);
        assert.equal(await store.enqueue([delivery("a", "e1"), delivery("a", "e2")]), 1);
        assert.equal(await store.enqueue([]), 0);
        const listed = await store.listDeliveries("a");
        assert.deepEqual(listed.items.map((d) => d.eventId), ["e2", "e1"]);
        const first = listed.items[1]!;
        assert.equal(first.status, "pending");
        assert.equal(first.attempts, 0);
        assert.equal(first.type, "alert.raised");
        assert.equal(first.body, '{"type":"alert.raised","data":{"id":"e1"}}');
        assert.equal(first.nextAttemptAt, T);
        assert.equal(first.createdAt, iso(T));
        assert.equal(first.lastStatus, undefined);
        assert.equal((await store.listDeliveries("x")).items.length, 0);
      }),
  },
  {
    name: "due gives an endpoint's pending deliveries that are due, earliest first, up to the limit",
    run: (f) =>
      withStore(f, async (store) => {
        await store.createEndpoint(endpoint("a"));
        await store.createEndpoint(endpoint("b"));
        const late = delivery("a", "late", T + 5000);
        const [early, early2] = [delivery("a", "early", T), delivery("a", "early2", T)];
        await store.enqueue([late, early2, early, delivery("b", "other", T)]);
        const due = (now: number, limit = 10) =>
          store.due("a", now, limit).then((ds) => ds.map((d) => d.eventId));
        assert.deepEqual(await due(T - 1), []);
        assert.deepEqual(await due(T), ["early", "early2"], "ties by id");
        assert.deepEqual(await due(T + 5000), ["early", "early2", "late"]);
        assert.deepEqual(await due(T + 5000, 1), ["early"]);
        await store.recordAttempt(early.id, { status: "delivered", attempts: 1, lastStatus: 200 });
        await store.recordAttempt(early2.id, {
          status: "pending",
          attempts: 1,
          lastStatus: 500,
          nextAttemptAt: T + 9000,
        });
        assert.deepEqual(await due(T + 5000), ["late"]);
        assert.deepEqual(await due(T + 9000), ["late", "early2"]);
        assert.deepEqual(await store.due("nope", T + 9000, 10), []);
      }),
  },
  {
    name: "claim takes a due delivery once, and it is due again when the lease ends",
    run: (f) =>
      withStore(f, async (store) => {
        await store.createEndpoint(endpoint("a"));
        const d = delivery("a", "e1", T);
        await store.enqueue([d]);
        const claims = await Promise.all([
          store.claim(d.id, T, T + 60_000),
          store.claim(d.id, T, T + 60_000),
        ]);
        assert.deepEqual(claims.sort(), [false, true], "one of two dispatchers wins");
        assert.deepEqual(await store.due("a", T + 59_999, 10), []);
        assert.deepEqual((await store.due("a", T + 60_000, 10)).map((x) => x.eventId), ["e1"]);
        assert.equal(await store.claim(d.id, T + 60_000, T + 120_000), true);
        await store.recordAttempt(d.id, { status: "delivered", attempts: 1, lastStatus: 200 });
        assert.equal(await store.claim(d.id, T + 120_000, T + 180_000), false, "not once delivered");
        assert.equal(await store.claim("nope", T, T + 1), false);
      }),
  },
  {
    name: "recordAttempt keeps exactly the fields of the latest attempt",
    run: (f) =>
      withStore(f, async (store) => {
        await store.createEndpoint(endpoint("a"));
        const d = delivery("a", "e1");
        await store.enqueue([d]);
        await store.recordAttempt(d.id, {
          status: "pending",
          attempts: 1,
          lastStatus: 503,
          lastError: "HTTP 503",
          nextAttemptAt: T + 5000,
        });
        assert.deepEqual(pick(await only(store, "a")), {
          status: "pending",
          attempts: 1,
          lastStatus: 503,
          lastError: "HTTP 503",
          nextAttemptAt: T + 5000,
        });
        await store.recordAttempt(d.id, {
          status: "pending",
          attempts: 2,
          lastError: "timed out",
          nextAttemptAt: T + 9000,
        });
        assert.deepEqual(pick(await only(store, "a")), {
          status: "pending",
          attempts: 2,
          lastStatus: undefined,
          lastError: "timed out",
          nextAttemptAt: T + 9000,
        });
        await store.recordAttempt(d.id, { status: "delivered", attempts: 3, lastStatus: 204 });
        assert.deepEqual(pick(await only(store, "a")), {
          status: "delivered",
          attempts: 3,
          lastStatus: 204,
          lastError: undefined,
          nextAttemptAt: undefined,
        });
        await store.recordAttempt("no-such-delivery", { status: "failed", attempts: 1 });
      }),
  },
  {
    name: "disabling an endpoint fails its pending deliveries, keeps the delivered ones, and stops due",
    run: (f) =>
      withStore(f, async (store) => {
        await store.createEndpoint(endpoint("a"));
        await store.createEndpoint(endpoint("b"));
        const [done, waiting, other] = [delivery("a", "e1"), delivery("a", "e2"), delivery("b", "e2")];
        await store.enqueue([done, waiting, other]);
        await store.recordAttempt(done.id, { status: "delivered", attempts: 1, lastStatus: 200 });
        await store.disableEndpoint("a", "the receiver answered 410 Gone");
        const a = await store.getEndpoint("a");
        assert.equal(a?.enabled, false);
        assert.equal(a?.disabledReason, "the receiver answered 410 Gone");
        const byEvent = new Map((await store.listDeliveries("a")).items.map((d) => [d.eventId, d]));
        assert.equal(byEvent.get("e1")?.status, "delivered");
        assert.deepEqual(pick(byEvent.get("e2")), {
          status: "failed",
          attempts: 0,
          lastStatus: undefined,
          lastError: "the receiver answered 410 Gone",
          nextAttemptAt: undefined,
        });
        assert.deepEqual(await store.due("a", T + 1e9, 10), []);
        assert.equal((await store.due("b", T, 10)).length, 1, "other endpoints go on");
      }),
  },
  {
    name: "deleting an endpoint deletes its deliveries; a second delete finds nothing",
    run: (f) =>
      withStore(f, async (store) => {
        await store.createEndpoint(endpoint("a"));
        await store.createEndpoint(endpoint("b"));
        await store.enqueue([delivery("a", "e1"), delivery("b", "e1")]);
        assert.equal(await store.deleteEndpoint("a"), true);
        assert.equal(await store.deleteEndpoint("a"), false);
        assert.equal(await store.getEndpoint("a"), undefined);
        assert.deepEqual((await store.listDeliveries("a")).items, []);
        assert.equal((await store.listDeliveries("b")).items.length, 1);
        assert.equal(await store.enqueue([delivery("a", "e2")]), 0);
      }),
  },
  {
    name: "deliveries list newest first in keyset pages; a foreign cursor is a ValidationError",
    run: (f) =>
      withStore(f, async (store) => {
        await store.createEndpoint(endpoint("a"));
        const batch = Array.from({ length: 7 }, (_, i) => delivery("a", `e${i}`));
        await store.enqueue(batch);
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listDeliveries("a", { limit: 3, ...(cursor ? { cursor } : {}) });
          assert.ok(page.items.length <= 3);
          seen.push(...page.items.map((d) => d.eventId));
          cursor = page.next;
        } while (cursor);
        assert.deepEqual(seen, ["e6", "e5", "e4", "e3", "e2", "e1", "e0"]);
        await assert.rejects(store.listDeliveries("a", { cursor: "!!" }), ValidationError);
      }),
  },
];
