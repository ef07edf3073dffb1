import assert from "node:assert/strict";
import { ValidationError } from "../errors.ts";
import { createEvent, eventCatalog, eventTypes, isEventType, parseEvent } from "./catalog.ts";
import { uuidv7, uuidV7Time } from "./uuid_v7.ts";

const ts = Date.UTC(2025, 0, 31, 12, 0, 0);
const options = { key: "dev-1", source: "ingest", now: () => ts };

/** Design §3, topic catalog table. */
const familiesByDesign: Record<string, string[]> = {
  telemetry: ["telemetry.reported"],
  device: [
    "device.registered",
    "device.updated",
    "device.decommissioned",
    "device.credentials.rotated",
    "device.connected",
    "device.disconnected",
    "device.state.reported",
    "device.state.desired",
    "device.event.reported",
    // issue 19: cameras are devices; their configuration and stream health ride the device topic
    "camera.configured",
    "camera.removed",
    "camera.stream.online",
    "camera.stream.offline",
  ],
  command: ["command.requested", "command.dispatched", "command.acked", "command.failed", "command.expired"],
  ota: [
    "firmware.published",
    "firmware.deleted",
    "ota.campaign.created",
    "ota.campaign.started",
    "ota.campaign.paused",
    "ota.campaign.resumed",
    "ota.campaign.cancelled",
    "ota.campaign.aborted",
    "ota.campaign.completed",
    "ota.wave.started",
    "ota.wave.finished",
    "ota.job.queued",
    "ota.job.dispatched",
    "ota.job.reported",
    "ota.job.progress",
    "ota.job.succeeded",
    "ota.job.failed",
    "ota.job.timed_out",
    "ota.job.cancelled",
  ],
  alert: [
    "rule.defined",
    "rule.changed",
    "rule.deleted",
    "alert.raised",
    "alert.updated",
    "alert.acknowledged",
    "alert.cleared",
  ],
  dlq: ["input.rejected"],
};

function telemetry(value: unknown, extra: Record<string, unknown> = {}): never {
  return { values: [{ name: "temperature", value, ts, ...extra }] } as never;
}

function rejects(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${error}`);
    assert.match(error.message, message);
    return true;
  });
}

Deno.test("eventCatalog holds exactly the event types of design §3, each at its version in its family", () => {
  const expected = Object.entries(familiesByDesign).flatMap(([family, types]) =>
    types.map((t) => [t, family])
  );
  assert.deepEqual(
    eventTypes.map((type) => [type, eventCatalog[type].family]).sort(),
    expected.sort(),
  );
  // Versions move only with an upcaster from the one before (README: "Changing an event").
  const versions: Partial<Record<string, number>> = { "telemetry.reported": 2 };
  for (const type of eventTypes) assert.equal(eventCatalog[type].version, versions[type] ?? 1, type);
  assert.ok(isEventType("alert.raised"));
  assert.equal(isEventType("toString"), false);
});

Deno.test("createEvent() fills the envelope", () => {
  const event = createEvent("command.expired", { commandId: "cmd-1" }, {
    ...options,
    time: "2025-01-31T13:00:00+01:00",
  });
  assert.equal(event.type, "command.expired");
  assert.equal(event.v, 1);
  assert.equal(event.key, "dev-1");
  assert.equal(event.source, "ingest");
  assert.equal(event.time, "2025-01-31T12:00:00.000Z", "normalised to UTC");
  assert.equal(event.ingestedAt, "2025-01-31T12:00:00.000Z");
  assert.equal(uuidV7Time(event.id), ts);
  assert.equal("traceparent" in event, false);
});

Deno.test("createEvent() rejects a string where a number is expected", () => {
  rejects(
    () => createEvent("telemetry.reported", telemetry(21.5, { ts: String(ts) }), options),
    /^Invalid data for telemetry\.reported: values\.0\.ts: Invalid input: expected number, received string$/,
  );
  rejects(
    () =>
      createEvent("ota.job.progress", { jobId: "j", status: "installing", progress: "50" } as never, options),
    /progress: .*expected number/,
  );
});

Deno.test("createEvent() names the path of a value that is no metric value", () => {
  rejects(
    () => createEvent("telemetry.reported", telemetry(null), options),
    /^Invalid data for telemetry\.reported: values\.0\.value: expected number\|boolean\|string$/,
  );
  rejects(() => createEvent("telemetry.reported", telemetry({ c: 21 }), options), /values\.0\.value/);
});

Deno.test("createEvent() rejects NaN and Infinity", () => {
  for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    rejects(() => createEvent("telemetry.reported", telemetry(value), options), /values\.0\.value/);
  }
  rejects(
    () =>
      createEvent("rule.defined", {
        ruleId: "r",
        version: 1,
        name: "r",
        condition: { kind: "threshold", metric: "t", op: ">", value: Number.NaN },
        severity: "info",
        enabled: true,
      }, options),
    /condition\.value/,
  );
});

Deno.test("createEvent() rejects 1 where a boolean is expected", () => {
  rejects(
    () =>
      createEvent("device.connected", { clientId: "c", protocol: "mqtt", certificate: 1 as never }, options),
    /certificate: Invalid input: expected boolean, received number/,
  );
});

Deno.test("createEvent() rejects unknown keys", () => {
  rejects(
    () => createEvent("command.dispatched", { commandId: "c", extra: 1 } as never, options),
    /Unrecognized key: "extra"/,
  );
  rejects(
    () => createEvent("telemetry.reported", telemetry(1, { scale: 10 }), options),
    /values\.0: Unrecognized key/,
  );
});

Deno.test("createEvent() rejects bad metric names", () => {
  for (const name of ["", "a b", "temp#1", "x".repeat(129), "température"]) {
    rejects(
      () => createEvent("telemetry.reported", { values: [{ name, value: 1, ts }] }, options),
      /values\.0\.name: expected 1-128 characters/,
    );
  }
  createEvent(
    "telemetry.reported",
    { values: [{ name: "a-Z_0.9:/x".padEnd(128, "x"), value: 1, ts }] },
    options,
  );
});

Deno.test("createEvent() rejects oversize strings", () => {
  createEvent("telemetry.reported", telemetry("x".repeat(4096)), options);
  rejects(
    () => createEvent("telemetry.reported", telemetry("x".repeat(4097)), options),
    /values\.0\.value: Too big/,
  );
});

Deno.test("createEvent() rejects a fractional or negative timestamp and an empty batch", () => {
  rejects(() => createEvent("telemetry.reported", telemetry(1, { ts: 1.5 }), options), /values\.0\.ts/);
  rejects(() => createEvent("telemetry.reported", telemetry(1, { ts: -1 }), options), /values\.0\.ts/);
  rejects(() => createEvent("telemetry.reported", { values: [] }, options), /values: Too small/);
});

Deno.test("createEvent() rejects a malformed credential", () => {
  rejects(
    () =>
      createEvent(
        "device.credentials.rotated",
        { credential: { algorithm: "sha256", hash: "s3cr3t" } },
        options,
      ),
    /credential\.hash: expected a credential hash/,
  );
  rejects(
    () =>
      createEvent("device.credentials.rotated", { credential: { hash: "a".repeat(64) } } as never, options),
    /credential\.algorithm/,
  );
});

Deno.test("createEvent() rejects an update without changes and a bad firmware digest", () => {
  rejects(
    () => createEvent("device.updated", { by: "admin" }, options),
    /at least one of name, model, labels/,
  );
  rejects(
    () =>
      createEvent("firmware.published", {
        firmwareId: "f",
        name: "th-10",
        version: "1",
        sha256: "AB".repeat(32),
        size: 1,
      }, options),
    /sha256: expected 64 lowercase hex characters/,
  );
});

Deno.test("createEvent() lists every failing field in details", () => {
  try {
    createEvent("command.acked", { commandId: "a/b", status: "maybe" } as never, options);
    assert.fail("expected a ValidationError");
  } catch (error) {
    assert.ok(error instanceof ValidationError);
    assert.equal(error.code, "validation_failed");
    assert.equal(error.status, 400);
    assert.deepEqual(error.details?.map((d) => d.path), ["commandId", "status"]);
  }
});

Deno.test("createEvent() rejects an unknown type and bad envelope options", () => {
  rejects(
    () => createEvent("device.exploded" as never, {} as never, options),
    /^Unknown event type: device\.exploded$/,
  );
  const data = { commandId: "c" };
  rejects(
    () => createEvent("command.expired", data, { ...options, key: "" }),
    /Invalid envelope for command\.expired: key/,
  );
  rejects(() => createEvent("command.expired", data, { ...options, source: "Ingest!" }), /source/);
  rejects(() => createEvent("command.expired", data, { ...options, traceparent: "00-xyz" }), /traceparent/);
  rejects(
    () => createEvent("command.expired", data, { ...options, id: crypto.randomUUID() }),
    /id: expected/,
  );
  rejects(() => createEvent("command.expired", data, { ...options, time: "yesterday" }), /time:/);
  const id = uuidv7();
  assert.equal(createEvent("command.expired", data, { ...options, id }).id, id);
});

function storedEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...createEvent("alert.acknowledged", { alertId: "a", ruleId: "r", deviceId: "d", by: "op" }, options),
    ...overrides,
  };
}

Deno.test("parseEvent() accepts a valid stored event", () => {
  const stored = storedEvent();
  assert.deepEqual(parseEvent(stored), { ok: true, event: stored });
});

Deno.test("parseEvent() rejects an unknown type", () => {
  assert.deepEqual(parseEvent(storedEvent({ type: "alert.exploded" })), {
    ok: false,
    reason: 'unknown event type "alert.exploded"',
  });
  assert.equal(parseEvent(storedEvent({ type: "constructor.x" })).ok, false);
});

Deno.test("parseEvent() rejects a version newer than the catalog", () => {
  assert.deepEqual(parseEvent(storedEvent({ v: 2 })), {
    ok: false,
    reason: "alert.acknowledged v2 is newer than the known v1",
  });
});

Deno.test("parseEvent() rejects envelopes with missing or wrong fields", () => {
  for (const field of ["id", "type", "v", "key", "time", "ingestedAt", "source", "data"]) {
    const stored = storedEvent();
    delete stored[field];
    const result = parseEvent(stored);
    assert.equal(result.ok, false, field);
    assert.match(result.ok ? "" : result.reason, new RegExp(`^invalid envelope: ${field}: `), field);
  }
  for (const bad of [null, 42, "event", [], {}]) assert.equal(parseEvent(bad).ok, false);
  assert.equal(parseEvent(storedEvent({ v: "1" })).ok, false, "no coercion of v");
  assert.equal(parseEvent(storedEvent({ v: 0 })).ok, false);
  assert.equal(parseEvent(storedEvent({ time: "31/01/2025" })).ok, false);
  const extra = parseEvent(storedEvent({ partition: 3 }));
  assert.match(extra.ok ? "" : extra.reason, /^invalid envelope: Unrecognized key: "partition"$/);
});

Deno.test("parseEvent() rejects data that does not match the schema", () => {
  const result = parseEvent(
    storedEvent({ data: { alertId: "a", ruleId: "r", deviceId: "d", by: "" } }),
  );
  assert.equal(result.ok, false);
  assert.match(result.ok ? "" : result.reason, /^invalid data for alert\.acknowledged v1: by: /);
});

Deno.test("parseEvent() never throws, even on hostile input", () => {
  const hostile = new Proxy({}, {
    get() {
      throw new Error("boom");
    },
    ownKeys() {
      throw new Error("boom");
    },
  });
  const result = parseEvent(hostile);
  assert.equal(result.ok, false);
});
