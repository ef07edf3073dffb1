/** `ReadModelStore` contract: device listing by label with keyset pagination, and the DLQ listing. */
import assert from "node:assert/strict";
import { ValidationError } from "../errors.ts";
import type { DomainEvent } from "../events/catalog.ts";
import { batchOf, type ReadModelsContractCase, withReadModels } from "./_read_models_contract_kit.ts";
import { eventClock, FIXTURE_EPOCH } from "./read_model_fixtures.ts";
import { sweepDeadLetters, uuidV7Floor } from "../retention/dead_letters.ts";
import { createEvent } from "../events/catalog.ts";
import { getDevice, listDevices, listDlq, type ReadModelStore } from "../readmodels/mod.ts";

async function collect(
  rm: ReadModelStore,
  options: { label?: { key: string; value: string }; limit?: number },
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let cursor: string | undefined;
  do {
    const page = await listDevices(rm, { ...options, ...(cursor === undefined ? {} : { cursor }) });
    ids.push(...page.items.map((d) => d.id));
    pages++;
    cursor = page.next;
  } while (cursor !== undefined);
  return { ids, pages };
}

const pad = (i: number) => `dev-${String(i).padStart(3, "0")}`;

export const listingCases: ReadModelsContractCase[] = [
  {
    name: "lists 120 devices by label with keyset pagination, following label changes",
    run: (f) =>
      withReadModels(f, async (rm) => {
        const c = eventClock();
        // Registered in a shuffled order so pages must come from the id order, not insertion order.
        const order = Array.from({ length: 120 }, (_, i) => (i * 37) % 120);
        const events: DomainEvent[] = order.map((i) =>
          c.event("device.registered", pad(i), {
            labels: { site: i % 3 === 0 ? "paris" : "lyon", n: String(i) },
          })
        );
        await rm.project(batchOf(events, 0));
        const all = await collect(rm, { limit: 50 });
        assert.deepEqual(all.ids, Array.from({ length: 120 }, (_, i) => pad(i)));
        assert.equal(all.pages, 3);
        assert.equal((await listDevices(rm)).items.length, 50, "default limit 50");
        assert.equal((await listDevices(rm, { limit: 10_000 })).items.length, 120, "limit clamped to 500");
        const paris = await collect(rm, { label: { key: "site", value: "paris" }, limit: 7 });
        assert.deepEqual(paris.ids, Array.from({ length: 40 }, (_, i) => pad(i * 3)));
        assert.equal(paris.pages, 6);
        await rm.project(batchOf([
          c.event("device.updated", pad(0), { labels: { site: "lyon" } }),
          c.event("device.updated", pad(1), { name: "renamed" }),
        ], 120));
        const parisNow = await collect(rm, { label: { key: "site", value: "paris" } });
        assert.equal(parisNow.ids.length, 39);
        assert.ok(!parisNow.ids.includes(pad(0)));
        assert.deepEqual(
          (await collect(rm, { label: { key: "n", value: "0" } })).ids,
          [],
          "old labels are gone",
        );
        assert.deepEqual(
          (await getDevice(rm, pad(1)))?.labels,
          { site: "lyon", n: "1" },
          "labels kept on rename",
        );
        const exact = await listDevices(rm, { label: { key: "site", value: "paris" }, limit: 39 });
        assert.equal(exact.next, undefined, "no cursor when the page holds the rest");
        assert.deepEqual((await listDevices(rm, { label: { key: "site", value: "berlin" } })).items, []);
        await assert.rejects(listDevices(rm, { cursor: "%%not-a-cursor%%" }), ValidationError);
        await assert.rejects(listDevices(rm, { limit: 0 }), RangeError);
      }),
  },
  {
    name: "lists the DLQ newest first, by device, with a cursor",
    run: (f) =>
      withReadModels(f, async (rm) => {
        const c = eventClock();
        const events = Array.from({ length: 25 }, (_, i) =>
          c.event("input.rejected", `d${i % 2}`, {
            topic: `devices/d${i % 2}/telemetry`,
            reason: `reason ${i}`,
            payloadBase64: btoa(`payload ${i}`),
            ...(i % 5 === 4 ? {} : { deviceId: `d${i % 2}` }),
          }));
        await rm.project(batchOf(events.slice(0, 10), 0));
        await rm.project(batchOf(events.slice(10), 10));
        const newest = events.map((e) => e.id).reverse();
        const first = await listDlq(rm, { limit: 10 });
        assert.deepEqual(first.items.map((r) => r.id), newest.slice(0, 10));
        assert.ok(first.next !== undefined);
        const rest = await listDlq(rm, { limit: 100, cursor: first.next });
        assert.deepEqual(rest.items.map((r) => r.id), newest.slice(10));
        assert.equal(rest.next, undefined);
        const row = first.items[0]!;
        assert.deepEqual(row, {
          id: events[24]!.id,
          at: events[24]!.time,
          topic: "devices/d0/telemetry",
          reason: "reason 24",
          payload: btoa("payload 24"),
        });
        const d1 = await listDlq(rm, { deviceId: "d1", limit: 4 });
        assert.deepEqual(d1.items.map((r) => r.reason), ["reason 23", "reason 21", "reason 17", "reason 15"]);
        const d1Next = await listDlq(rm, {
          deviceId: "d1",
          limit: 100,
          ...(d1.next ? { cursor: d1.next } : {}),
        });
        assert.deepEqual(d1Next.items.map((r) => r.reason), [
          "reason 13",
          "reason 11",
          "reason 7",
          "reason 5",
          "reason 3",
          "reason 1",
        ]);
      }),
  },
  {
    name: "deleteRows() (the dead-letter retention) deletes the oldest rows in chunks and keeps the rest",
    run: (f) =>
      withReadModels(f, async (rm) => {
        // Explicit ids of FIXTURE_EPOCH + 1 … + 25 ms (generated ones never go back in time, so
        // in a process that made ids before they could all carry one later time).
        const events = Array.from({ length: 25 }, (_, i) =>
          createEvent("input.rejected", {
            topic: `devices/d${i % 2}/telemetry`,
            reason: `reason ${i}`,
            payloadBase64: btoa(`payload ${i}`),
          }, {
            key: `d${i % 2}`,
            source: "test",
            id: uuidV7Floor(FIXTURE_EPOCH + 1 + i).replace("-0000-0000-", "-7000-8000-"),
          }));
        await rm.project(batchOf(events, 0));
        // A cut at + 11 ms leaves the last 15.
        const now = FIXTURE_EPOCH + 1_000;
        const chunks: number[] = [];
        const deleted = await sweepDeadLetters(rm, now - (FIXTURE_EPOCH + 11), {
          now: () => now,
          chunk: 4,
          pause: () => Promise.resolve(void chunks.push(0)),
        });
        assert.equal(deleted, 10);
        assert.equal(chunks.length, 2, "three chunks of at most 4 rows, with a pause between them");
        const left = await listDlq(rm, { limit: 100 });
        assert.deepEqual(left.items.map((r) => r.id), events.slice(10).map((e) => e.id).reverse());
        assert.equal(await sweepDeadLetters(rm, now - (FIXTURE_EPOCH + 11), { now: () => now }), 0);
      }),
  },
];
