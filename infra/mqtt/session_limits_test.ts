/** `limitSessions` over the real aedes in-memory persistence, with a hand-run timer. */
import assert from "node:assert/strict";
import { Aedes } from "aedes";
import { Buffer } from "node:buffer";
import { limitSessions, type SessionLimits, type SessionPersistence } from "./session_limits.ts";
import { eventually } from "../../core/testing/eventually.ts";

interface Persistence extends SessionPersistence {
  addSubscriptions(client: { id: string }, subs: { topic: string; qos: number }[]): Promise<void>;
  subscriptionsByClient(client: { id: string }): Promise<unknown[]>;
}

async function withPersistence(
  limits: Partial<SessionLimits> & { queueable?: (packet: unknown) => boolean },
  run: (p: {
    persistence: Persistence;
    tracker: ReturnType<typeof limitSessions>;
    timers: Map<number, () => void>;
  }) => Promise<void>,
): Promise<void> {
  const aedes = new Aedes();
  await aedes.listen();
  const persistence = (aedes as unknown as { persistence: Persistence }).persistence;
  const timers = new Map<number, () => void>();
  let next = 0;
  const tracker = limitSessions(persistence, {
    maxQueuedPerClient: 1_000,
    sessionExpiryMs: 60_000,
    maxOfflineSessionsPerDevice: 4,
    ...limits,
  }, {
    ...(limits.queueable ? { queueable: limits.queueable } : {}),
    schedule: (run) => {
      const id = next++;
      timers.set(id, run);
      return () => timers.delete(id);
    },
  });
  try {
    await run({ persistence, tracker, timers });
  } finally {
    tracker.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }
}

const packet = (n: number) => ({
  cmd: "publish",
  topic: `devices/dev-1/commands/c-${n}`,
  payload: Buffer.from("{}"),
  qos: 1,
  brokerId: "b",
  brokerCounter: n + 1,
});

async function queueOf(persistence: Persistence, id: string): Promise<string[]> {
  const topics: string[] = [];
  for await (const p of persistence.outgoingStream({ id })) topics.push((p as { topic: string }).topic);
  return topics;
}

Deno.test("limitSessions() queues at most maxQueuedPerClient messages per client; delivery frees room", () =>
  withPersistence({ maxQueuedPerClient: 3 }, async ({ persistence }) => {
    for (let n = 0; n < 5; n++) {
      await persistence.outgoingEnqueueCombi([{ clientId: "dev-1" }, { clientId: "dev-1/ota" }], packet(n));
    }
    const first3 = ["c-0", "c-1", "c-2"].map((c) => `devices/dev-1/commands/${c}`);
    assert.deepEqual(await queueOf(persistence, "dev-1"), first3);
    assert.deepEqual(await queueOf(persistence, "dev-1/ota"), first3);
    // Delivered and acknowledged: the queue has room again.
    await persistence.outgoingClearMessageId({ id: "dev-1" }, { messageId: undefined });
    await persistence.outgoingEnqueue({ clientId: "dev-1" }, packet(9));
    assert.deepEqual((await queueOf(persistence, "dev-1")).length, 3);
    assert.equal((await queueOf(persistence, "dev-1")).at(-1), "devices/dev-1/commands/c-9");
  }));

Deno.test("limitSessions() forgets a persistent session sessionExpiryMs after it went offline", () =>
  withPersistence({}, async ({ persistence, tracker, timers }) => {
    await persistence.addSubscriptions({ id: "dev-1" }, [{ topic: "devices/dev-1/#", qos: 1 }]);
    await persistence.outgoingEnqueueCombi([{ clientId: "dev-1" }], packet(0));
    tracker.disconnected("dev-1", "dev-1", false);
    assert.equal(timers.size, 1);
    for (const run of timers.values()) run();
    await eventually(
      "the expired session forgotten",
      async () => (await queueOf(persistence, "dev-1")).length === 0,
    );
    assert.deepEqual(await persistence.subscriptionsByClient({ id: "dev-1" }), []);
    assert.deepEqual(await queueOf(persistence, "dev-1"), []);
  }));

Deno.test("limitSessions() keeps a session that reconnects in time, and ignores clean sessions", () =>
  withPersistence({}, async ({ persistence, tracker, timers }) => {
    await persistence.addSubscriptions({ id: "dev-1" }, [{ topic: "devices/dev-1/#", qos: 1 }]);
    tracker.disconnected("dev-1", "dev-1", false);
    tracker.connected("dev-1");
    assert.equal(timers.size, 0, "the expiry is cancelled");
    tracker.disconnected("dev-2", "dev-2", true);
    assert.equal(timers.size, 0);
    assert.equal((await persistence.subscriptionsByClient({ id: "dev-1" })).length, 1);
  }));

Deno.test("limitSessions() forgets a device's oldest offline session beyond maxOfflineSessionsPerDevice", () =>
  withPersistence({ maxOfflineSessionsPerDevice: 2 }, async ({ persistence, tracker, timers }) => {
    const ids = ["dev-1/a", "dev-1/b", "dev-1/c"];
    for (const id of ids) await persistence.addSubscriptions({ id }, [{ topic: "devices/dev-1/#", qos: 1 }]);
    await persistence.addSubscriptions({ id: "dev-2" }, [{ topic: "devices/dev-2/#", qos: 1 }]);
    tracker.disconnected("dev-2", "dev-2", false);
    for (const id of ids) tracker.disconnected("dev-1", id, false);
    const present = async (id: string) => (await persistence.subscriptionsByClient({ id })).length > 0;
    await eventually("the oldest session forgotten", async () => !(await present("dev-1/a")));
    assert.deepEqual(await Promise.all(ids.map(present)), [false, true, true]);
    assert.equal(await present("dev-2"), true, "other devices are not affected");
    assert.equal(timers.size, 3);
  }));

Deno.test("limitSessions() never queues what queueable refuses", () =>
  withPersistence({ queueable: (p) => !(p as { clientId?: string }).clientId }, async ({ persistence }) => {
    await persistence.outgoingEnqueueCombi([{ clientId: "dev-1/away" }], { ...packet(0), clientId: "dev-1" });
    await persistence.outgoingEnqueueCombi([{ clientId: "dev-1/away" }], packet(1));
    assert.deepEqual(await queueOf(persistence, "dev-1/away"), ["devices/dev-1/commands/c-1"]);
  }));
