/**
 * The notify processor and its dispatcher over the in-memory store, a scripted sender and an
 * injected clock: given endpoints, when events arrive and attempts end so, then deliveries are.
 */
import assert from "node:assert/strict";
import { createEvent, type DomainEvent } from "../../core/events/catalog.ts";
import { topicNames } from "../../core/events/topics.ts";
import { createInMemoryWebhookStore } from "../../core/testing/in_memory_webhook_store.ts";
import { eventually } from "../../core/testing/eventually.ts";
import type { AttemptOutcome } from "../../core/webhooks/retry_schedule.ts";
import type { WebhookRequest } from "../../core/webhooks/sender.ts";
import type { SecretBox, WebhookEndpoint } from "../../core/webhooks/store.ts";
import { notifyProcessor } from "./mod.ts";

const T0 = Date.UTC(2026, 0, 1);
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** Seals nothing: these tests are about delivery, not encryption (see infra's secret box). */
const plainBox: SecretBox = {
  seal: (plain, context) => Promise.resolve(`${context}:${plain}`),
  open: (sealed, context) => Promise.resolve(sealed.slice(context.length + 1)),
};

type Reply = (request: WebhookRequest) => AttemptOutcome | Promise<AttemptOutcome>;

async function given(endpoints: (Partial<WebhookEndpoint> & { id: string })[], retrySeconds = [5, 60]) {
  const clock = { t: T0 };
  const store = createInMemoryWebhookStore();
  const replies = new Map<string, Reply>();
  const sent: WebhookRequest[] = [];
  for (const e of endpoints) {
    await store.createEndpoint({
      url: `https://${e.id}.example/hook`,
      types: ["device.registered"],
      secret: `${e.id}:${SECRET}`,
      enabled: true,
      createdAt: new Date(T0).toISOString(),
      ...e,
    });
  }
  const notify = notifyProcessor({
    store,
    secrets: plainBox,
    topics: topicNames(),
    retrySeconds,
    now: () => clock.t,
    sender: {
      async send(request) {
        sent.push(request);
        const reply = replies.get(new URL(request.url).hostname.split(".")[0]!);
        return reply ? await reply(request) : { status: 200 };
      },
    },
  });
  let n = 0;
  const event = (type: "device.registered" | "device.decommissioned" = "device.registered", at = clock.t) =>
    type === "device.registered"
      ? createEvent(type, { name: `d${++n}`, credential: { algorithm: "sha256", hash: "h".repeat(64) } }, {
        key: `dev-${n}`,
        source: "api",
        now: () => at,
      })
      : createEvent(type, {}, { key: `dev-${++n}`, source: "api", now: () => at });
  const handle = (events: DomainEvent[]) =>
    notify.handle(events, {
      topic: "aiot.device",
      partition: 0,
      offsets: events.map((_, i) => i),
      signal: new AbortController().signal,
    });
  const deliveries = async (endpointId: string) => (await store.listDeliveries(endpointId)).items;
  /** Wakes the dispatcher and waits until it is idle again. */
  const settle = async () => {
    notify.tick!(clock.t);
    await notify.dispatcher.idle();
  };
  return { clock, store, replies, sent, notify, event, handle, deliveries, settle };
}

Deno.test("notify enqueues subscribed events for enabled endpoints created before they were ingested", async () => {
  const t = await given([
    { id: "a" },
    { id: "b", types: ["device.decommissioned"] },
    { id: "off", enabled: false },
    { id: "late", createdAt: new Date(T0 + 1000).toISOString() },
  ]);
  const events = [t.event(), t.event("device.decommissioned")];
  await t.handle(events);
  await t.handle(events); // redelivered batch: nothing twice
  assert.deepEqual((await t.deliveries("a")).map((d) => d.eventId), [events[0]!.id]);
  assert.deepEqual((await t.deliveries("b")).map((d) => d.eventId), [events[1]!.id]);
  assert.deepEqual(await t.deliveries("off"), []);
  assert.deepEqual(await t.deliveries("late"), [], "ingested before the endpoint existed");
  await t.notify.stop();
});

Deno.test("notify sees an endpoint created after its last batch on the next batch", async () => {
  const t = await given([{ id: "a" }]);
  await t.handle([t.event()]);
  await t.store.createEndpoint({
    id: "new",
    url: "https://new.example/hook",
    types: ["device.registered"],
    secret: `new:${SECRET}`,
    enabled: true,
    createdAt: new Date(T0).toISOString(),
  });
  await t.handle([t.event()]);
  assert.equal((await t.deliveries("new")).length, 1);
  await t.notify.stop();
});

Deno.test("the body is the redacted envelope and the signature verifies by the spec's algorithm", async () => {
  const t = await given([{ id: "a" }]);
  const event = t.event();
  await t.handle([event]);
  await t.settle();
  const [request] = t.sent;
  assert.ok(request);
  const body = JSON.parse(request.body);
  assert.equal(body.type, "device.registered");
  assert.equal(body.timestamp, event.time);
  assert.equal(body.data.id, event.id);
  assert.equal(body.data.data.credential, undefined, "secret fields never leave");
  assert.equal(request.headers["webhook-id"], event.id);
  assert.equal(request.headers["webhook-timestamp"], String(Math.floor(T0 / 1000)));
  // Verified independently: HMAC-SHA256 keyed by the base64-decoded secret, over id.timestamp.body.
  const key = await crypto.subtle.importKey(
    "raw",
    Uint8Array.from(atob(SECRET.slice(6)), (c) => c.charCodeAt(0)),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const [version, signature] = request.headers["webhook-signature"]!.split(",");
  assert.equal(version, "v1");
  const signed = new TextEncoder().encode(
    `${event.id}.${request.headers["webhook-timestamp"]}.${request.body}`,
  );
  const mac = Uint8Array.from(atob(signature!), (c) => c.charCodeAt(0));
  assert.ok(await crypto.subtle.verify("HMAC", key, mac, signed));
  assert.equal((await t.deliveries("a"))[0]?.status, "delivered");
  await t.notify.stop();
});

Deno.test("a failing endpoint is retried on the schedule, honours Retry-After, then fails and stays listed", async () => {
  const t = await given([{ id: "down" }], [5, 60]);
  t.replies.set("down", () => ({ status: 500 }));
  await t.handle([t.event()]);
  await t.settle();
  const after = async () => {
    const [d] = await t.deliveries("down");
    return { status: d!.status, attempts: d!.attempts, next: d!.nextAttemptAt };
  };
  assert.deepEqual(await after(), { status: "pending", attempts: 1, next: T0 + 5000 });
  t.clock.t = T0 + 4999;
  await t.settle();
  assert.equal(t.sent.length, 1, "not before it is due");
  t.replies.set("down", () => ({ status: 503, retryAfter: "120" }));
  t.clock.t = T0 + 5000;
  await t.settle();
  assert.deepEqual(
    await after(),
    { status: "pending", attempts: 2, next: T0 + 125_000 },
    "Retry-After > 60 s wins",
  );
  assert.equal(
    t.sent[1]?.headers["webhook-id"],
    t.sent[0]?.headers["webhook-id"],
    "same id on every attempt",
  );
  t.clock.t = T0 + 125_000;
  await t.settle();
  const [failed] = await t.deliveries("down");
  assert.deepEqual([failed?.status, failed?.attempts, failed?.lastStatus], ["failed", 3, 503]);
  t.clock.t = T0 + 10_000_000;
  await t.settle();
  assert.equal(t.sent.length, 3, "nothing after the schedule");
  await t.notify.stop();
});

Deno.test("a 410 disables the endpoint: its pending deliveries fail and nothing more is sent to it", async () => {
  const t = await given([{ id: "gone" }, { id: "ok" }]);
  t.replies.set("gone", () => ({ status: 410 }));
  await t.handle([t.event(), t.event()]);
  await t.settle();
  const endpoint = await t.store.getEndpoint("gone");
  assert.equal(endpoint?.enabled, false);
  assert.deepEqual((await t.deliveries("gone")).map((d) => d.status), ["failed", "failed"]);
  assert.equal(t.sent.filter((r) => r.url.includes("gone")).length, 1);
  await t.handle([t.event()]);
  await t.settle();
  assert.equal((await t.deliveries("gone")).length, 2, "a disabled endpoint gets no new deliveries");
  assert.deepEqual((await t.deliveries("ok")).map((d) => d.status), ["delivered", "delivered", "delivered"]);
  await t.notify.stop();
});

Deno.test("a hanging endpoint does not hold up another endpoint or the batches", async () => {
  const t = await given([{ id: "hang" }, { id: "ok" }]);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  t.replies.set("hang", async () => (await held, { status: 200 }));
  await t.handle([t.event(), t.event()]);
  t.notify.tick!(t.clock.t);
  await eventually(
    "the healthy endpoint's deliveries",
    async () => (await t.deliveries("ok")).every((d) => d.status === "delivered"),
  );
  await t.handle([t.event()]); // a batch while the other endpoint hangs
  t.notify.tick!(t.clock.t);
  await eventually(
    "the third delivery",
    async () => (await t.deliveries("ok")).filter((d) => d.status === "delivered").length === 3,
  );
  assert.equal(t.sent.filter((r) => r.url.includes("hang")).length, 1, "one request in flight per endpoint");
  assert.ok((await t.deliveries("hang")).every((d) => d.status === "pending"));
  release();
  await t.settle();
  assert.ok((await t.deliveries("hang")).every((d) => d.status === "delivered"));
  await t.notify.stop();
});

Deno.test("two notify replicas on one store send each delivery once", async () => {
  const t = await given([{ id: "a" }, { id: "b" }]);
  const twin = notifyProcessor({
    store: t.store,
    secrets: plainBox,
    topics: topicNames(),
    now: () => t.clock.t,
    sender: {
      send(request) {
        t.sent.push(request);
        return Promise.resolve({ status: 200 });
      },
    },
  });
  await t.handle(Array.from({ length: 10 }, () => t.event()));
  t.notify.tick!(t.clock.t);
  twin.tick!(t.clock.t);
  await Promise.all([t.notify.dispatcher.idle(), twin.dispatcher.idle()]);
  assert.equal(t.sent.length, 20);
  const pairs = new Set(t.sent.map((r) => `${r.url} ${r.headers["webhook-id"]}`));
  assert.equal(pairs.size, 20, "no delivery sent twice");
  await Promise.all([t.notify.stop(), twin.stop()]);
});

Deno.test("a stop during an attempt leaves the delivery due, not counted and not leased", async () => {
  const t = await given([{ id: "slow" }]);
  let started!: () => void;
  const sending = new Promise<void>((resolve) => (started = resolve));
  t.replies.set("slow", (request) =>
    new Promise((resolve) => {
      started();
      request.signal?.addEventListener("abort", () => resolve({ error: "aborted" }));
    }));
  await t.handle([t.event()]);
  t.notify.tick!(t.clock.t);
  await sending;
  await t.notify.stop();
  const [d] = await t.deliveries("slow");
  assert.deepEqual([d?.status, d?.attempts, d?.nextAttemptAt], ["pending", 0, T0]);
});

Deno.test("notify: relevant() keeps the types an enabled endpoint subscribes to, re-read per batch", async () => {
  const t = await given([{ id: "a" }, { id: "off", enabled: false, types: ["alert.raised"] }]);
  let relevant = await t.notify.relevant!();
  assert.equal(relevant("device.registered", "d1"), true);
  assert.equal(relevant("alert.raised", "d1"), false, "only a disabled endpoint wants it");
  assert.equal(relevant("telemetry.reported", "d1"), false, "nobody subscribes: never decoded");
  await t.store.createEndpoint({
    id: "telemetry",
    url: "https://t.example/hook",
    types: ["telemetry.reported"],
    secret: `t:${SECRET}`,
    enabled: true,
    createdAt: new Date(T0).toISOString(),
  });
  relevant = await t.notify.relevant!();
  assert.equal(relevant("telemetry.reported", "d1"), true, "an endpoint created since the last batch counts");
  await t.notify.stop();
});
