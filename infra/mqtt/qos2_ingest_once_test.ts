import assert from "node:assert/strict";
import { createQos2IngestOnce, type Done } from "./qos2_ingest_once.ts";

/** A stand-in for aedes' incoming store and an ingest whose appends the test completes by hand. */
function setup() {
  const store = new Set<number>();
  const once = createQos2IngestOnce<object>((_client, id) => Promise.resolve(store.has(id)));
  const appends: Done[] = [];
  const outcomes: (Error | null)[] = [];
  const receive = (client: object, id: number) =>
    once.receive(client, id, (done) => appends.push(done), (error) => outcomes.push(error));
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { store, once, appends, outcomes, receive, settle };
}

Deno.test("createQos2IngestOnce() ingests a copy arriving during the first append once, and answers both", async () => {
  const { appends, outcomes, receive, settle } = setup();
  const client = {};
  receive(client, 7);
  receive(client, 7);
  await settle();
  assert.equal(appends.length, 1);
  assert.deepEqual(outcomes, [], "no acknowledgement before the append is durable");
  appends[0]!(null);
  await settle();
  assert.deepEqual(outcomes, [null, null]);
});

Deno.test("createQos2IngestOnce() fails every copy when the append fails, and ingests the resend", async () => {
  const { appends, outcomes, receive, settle } = setup();
  const client = {};
  receive(client, 7);
  receive(client, 7);
  await settle();
  const failure = new Error("disk full");
  appends[0]!(failure);
  await settle();
  assert.deepEqual(outcomes, [failure, failure]);
  receive(client, 7);
  await settle();
  assert.equal(appends.length, 2, "nothing was stored, so the resend is ingested");
});

Deno.test("createQos2IngestOnce() leaves ids stored by aedes to its store, until PUBREL frees them", async () => {
  const { store, once, appends, outcomes, receive, settle } = setup();
  const client = {};
  receive(client, 7);
  await settle();
  appends[0]!(null);
  await settle();
  store.add(7);
  once.stored(client, 7);
  receive(client, 7); // a retransmission before PUBREL
  await settle();
  assert.equal(appends.length, 1);
  store.delete(7); // PUBREL
  receive(client, 7); // a new message reusing the id
  await settle();
  assert.equal(appends.length, 2);
  assert.deepEqual(outcomes, [null, null]);
});

Deno.test("createQos2IngestOnce() keeps clients and packet ids apart", async () => {
  const { appends, receive, settle } = setup();
  const a = {}, b = {};
  receive(a, 1);
  receive(a, 2);
  receive(b, 1);
  await settle();
  assert.equal(appends.length, 3);
});
