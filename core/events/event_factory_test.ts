import assert from "node:assert/strict";
import { z } from "zod";
import { defineEvent } from "./definition.ts";
import { createEventFactory } from "./event_factory.ts";
import { uuidv7 } from "./uuid_v7.ts";

// A test-local catalog: production events are all at v1, so upcasting is shown on a made-up
// `thing.measured` whose v1 `{ temp }` became v2 `{ celsius }` and v3 `{ celsius, unit }`.
const thingMeasuredV3 = z.strictObject({ celsius: z.number(), unit: z.literal("C") });

const testCatalog = {
  "thing.measured": defineEvent({
    family: "telemetry",
    version: 3,
    schema: thingMeasuredV3,
    upcasters: [
      {
        from: 1,
        up: (data) => {
          const { temp, ...rest } = data as { temp: unknown };
          return { ...rest, celsius: temp };
        },
      },
      { from: 2, up: (data) => ({ ...(data as object), unit: "C" }) },
    ],
  }),
  "thing.fragile": defineEvent({
    family: "telemetry",
    version: 2,
    schema: z.strictObject({ n: z.number() }),
    upcasters: [{
      from: 1,
      up: () => {
        throw new Error("v1 had no n");
      },
    }],
  }),
} as const;

const { createEvent, parseEvent } = createEventFactory(testCatalog);

function stored(type: string, v: number, data: unknown) {
  return {
    id: uuidv7(),
    type,
    v,
    key: "thing-1",
    time: "2025-01-31T12:00:00.000Z",
    ingestedAt: "2025-01-31T12:00:00.000Z",
    source: "test",
    data,
  };
}

Deno.test("parseEvent() upcasts v1 data through every step to the current version", () => {
  const result = parseEvent(stored("thing.measured", 1, { temp: 21.5 }));
  assert.deepEqual(result, {
    ok: true,
    event: {
      ...stored("thing.measured", 3, { celsius: 21.5, unit: "C" }),
      id: result.ok ? result.event.id : "",
    },
  });
});

Deno.test("parseEvent() upcasts from an intermediate version", () => {
  const result = parseEvent(stored("thing.measured", 2, { celsius: 4 }));
  assert.ok(result.ok);
  assert.equal(result.event.v, 3);
  assert.deepEqual(result.event.data, { celsius: 4, unit: "C" });
});

Deno.test("parseEvent() validates upcast data against the current schema", () => {
  const result = parseEvent(stored("thing.measured", 1, { temp: "21.5" }));
  assert.deepEqual(result, {
    ok: false,
    reason:
      "invalid data for thing.measured v3 (upcast from v1): celsius: Invalid input: expected number, received string",
  });
});

Deno.test("parseEvent() reports an upcaster that throws", () => {
  assert.deepEqual(parseEvent(stored("thing.fragile", 1, {})), {
    ok: false,
    reason: "cannot upcast thing.fragile from v1: v1 had no n",
  });
});

Deno.test("createEvent() writes the current version", () => {
  const event = createEvent("thing.measured", { celsius: 3, unit: "C" }, { key: "thing-1", source: "test" });
  assert.equal(event.v, 3);
  assert.deepEqual(parseEvent(event), { ok: true, event });
});

Deno.test("defineEvent() refuses an incomplete or unordered upcaster chain", () => {
  const schema = z.strictObject({});
  const up = (data: unknown) => data;
  assert.throws(
    () => defineEvent({ family: "device", schema, version: 3, upcasters: [{ from: 1, up }] }),
    TypeError,
  );
  assert.throws(
    () =>
      defineEvent({ family: "device", schema, version: 3, upcasters: [{ from: 2, up }, { from: 1, up }] }),
    /upcasters must go from \[1, 2\], got \[2, 1\]/,
  );
  assert.throws(() => defineEvent({ family: "device", schema, upcasters: [{ from: 1, up }] }), TypeError);
  assert.throws(() => defineEvent({ family: "device", schema, version: 0 }), TypeError);
  assert.equal(defineEvent({ family: "device", schema }).version, 1);
});

Deno.test("createEvent() with trustedData uses the data as given, and still checks the envelope", () => {
  const data = { celsius: 3, unit: "C" as const };
  const event = createEvent("thing.measured", data, { key: "thing-1", source: "test", trustedData: true });
  // The very object: no parse, no copy.
  assert.equal(event.data, data);
  assert.deepEqual(parseEvent(event), { ok: true, event });
  // Not parsed: what the caller vouched for is kept (a parse would refuse it)…
  const wrong = { celsius: "warm" } as unknown as typeof data;
  assert.equal(
    createEvent("thing.measured", wrong, { key: "k", source: "test", trustedData: true }).data,
    wrong,
  );
  assert.throws(() => createEvent("thing.measured", wrong, { key: "k", source: "test" }), /celsius/);
  // …while the caller's envelope fields are checked as ever, with the detailed error.
  assert.throws(
    () => createEvent("thing.measured", data, { key: "", source: "test", trustedData: true }),
    /Invalid envelope for thing.measured: key/,
  );
  assert.throws(
    () => createEvent("thing.measured", data, { key: "k", source: "Bad Source", trustedData: true }),
    /Invalid envelope for thing.measured: source/,
  );
});
