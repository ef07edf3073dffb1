import assert from "node:assert/strict";
import { decodeEvent, encodeEvent } from "../../core/events/codec.ts";
import { eventCatalog } from "../../core/events/catalog.ts";
import { ingestUplink, type Uplink, type UplinkResult } from "./uplink.ts";

const NOW = Date.parse("2026-11-28T12:00:00.000Z");
const bytes = (s: string) => new TextEncoder().encode(s);
const uplink = (topic: string, payload: string | Uint8Array, deviceId = "dev-1"): Uplink => ({
  deviceId,
  topic,
  payload: typeof payload === "string" ? bytes(payload) : payload,
  qos: 1,
});
const ingest = (u: Uplink) => ingestUplink(u, { now: () => NOW });

function accepted(result: UplinkResult) {
  assert.ok(result.ok, result.ok ? "" : result.reason);
  return result.events;
}
function rejected(result: UplinkResult): string {
  assert.ok(!result.ok, "expected a rejection");
  return result.reason;
}

Deno.test("telemetry: the structured form keeps types and the device timestamp", () => {
  const [event] = accepted(
    ingest(
      uplink(
        "devices/dev-1/telemetry",
        `{"ts": ${
          NOW - 1000
        }, "values": {"temperature": 21.5, "door": true, "mode": "eco", "label": "21.5"}}`,
      ),
    ),
  );
  assert.equal(event!.type, "telemetry.reported");
  assert.equal(event!.key, "dev-1");
  assert.deepEqual((event!.data as { values: unknown[] }).values, [
    { name: "temperature", value: 21.5, ts: NOW - 1000, quality: "good" },
    { name: "door", value: true, ts: NOW - 1000, quality: "good" },
    { name: "mode", value: "eco", ts: NOW - 1000, quality: "good" },
    { name: "label", value: "21.5", ts: NOW - 1000, quality: "good" },
  ]);
});

Deno.test("telemetry: arrays, ISO timestamps and the flat form (ts = ingest time)", () => {
  const [batch] = accepted(
    ingest(
      uplink(
        "devices/dev-1/telemetry",
        `[{"ts": "2026-11-28T11:00:00Z", "values": {"t": 1}}, {"values": {"t": 2}}]`,
      ),
    ),
  );
  assert.deepEqual((batch!.data as { values: unknown[] }).values, [
    { name: "t", value: 1, ts: Date.parse("2026-11-28T11:00:00Z"), quality: "good" },
    { name: "t", value: 2, ts: NOW, quality: "good" },
  ]);
  const [flat] = accepted(ingest(uplink("devices/dev-1/telemetry", `{"temperature": 21.5, "humidity": 40}`)));
  assert.deepEqual((flat!.data as { values: unknown[] }).values, [
    { name: "temperature", value: 21.5, ts: NOW, quality: "good" },
    { name: "humidity", value: 40, ts: NOW, quality: "good" },
  ]);
});

Deno.test("telemetry events, made without a second parse, are exactly what the schema makes of them", () => {
  const payloads = [
    `{"temperature": 21.5, "door": true, "mode": "eco \\"q\\" \\u00e9 \\ud83d\\ude00", "n": -1.5, "big": 1e300}`,
    `{"ts": ${NOW - 5}, "values": {"a": {"value": 1, "unit": "°C", "quality": "bad"}, "b": {"value": "x"}}}`,
    `[{"ts": "2026-11-28T11:00:00.5+01:00", "values": {"t": 1}}, {"t": {"value": false, "quality": "uncertain"}}]`,
    `{"ts": ${NOW}, "s": "${"é".repeat(2048)}", "u": {"value": 2, "unit": "\\"%\\""}}`,
  ];
  for (const payload of payloads) {
    for (const qos of [undefined, 0, 1, 2] as const) {
      const [event] = accepted(
        ingest({ ...uplink("devices/dev-1/telemetry", payload), ...(qos === undefined ? {} : { qos }) }),
      );
      // What the schema would have made of the same data: same values, same key order, same JSON.
      const parsed = eventCatalog["telemetry.reported"].schema.parse(event!.data);
      assert.equal(JSON.stringify(event!.data), JSON.stringify(parsed), payload);
      assert.deepEqual(decodeEvent(encodeEvent(event!)), { ok: true, event }, payload);
    }
  }
});

Deno.test("telemetry beyond what the parser vouches for is left to the schema, with its reason", () => {
  // A string limit raised past the schema's 4096 characters: the event schema still refuses.
  const long = ingestUplink(uplink("devices/dev-1/telemetry", `{"s": "${"x".repeat(5000)}"}`), {
    now: () => NOW,
    limits: { maxStringBytes: 100_000 },
  });
  assert.match(rejected(long), /Invalid data for telemetry.reported: values.0.value: .*4096/);
  // A past window reaching before 1970: a negative timestamp passes the parser, not the schema.
  const old = ingestUplink(uplink("devices/dev-1/telemetry", `{"ts": -5, "t": 1}`), {
    now: () => NOW,
    limits: { maxPastMs: NOW + 1000 },
  });
  assert.match(rejected(old), /Invalid data for telemetry.reported: values.0.ts/);
  // The same limits with acceptable data still make the event.
  accepted(ingestUplink(uplink("devices/dev-1/telemetry", `{"ts": 5, "s": "${"x".repeat(4096)}"}`), {
    now: () => NOW,
    limits: { maxPastMs: NOW + 1000, maxStringBytes: 100_000 },
  }));
});

Deno.test("a malformed corpus is rejected, each with its own reason, never throwing", () => {
  const corpus: [string, string | Uint8Array, RegExp][] = [
    ["devices/dev-1/telemetry", `{"temperature": 21.`, /^invalid JSON/],
    ["devices/dev-1/telemetry", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), /not valid UTF-8/],
    ["devices/dev-1/telemetry", "x".repeat(256 * 1024 + 1), /payload is 262145 bytes, limit 262144/],
    [
      "devices/dev-1/telemetry",
      `{"temperature": null}`,
      /temperature: value must be a number, boolean or string, got null/,
    ],
    [
      "devices/dev-1/telemetry",
      `{"temperature": {"c": 1}}`,
      /unexpected key "c": expected value, unit, quality/,
    ],
    ["devices/dev-1/telemetry", `{"bad name!": 1}`, /metric name "bad name!"/],
    ["devices/dev-1/telemetry", `{"${"m".repeat(129)}": 1}`, /must be 1-128 characters/],
    ["devices/dev-1/telemetry", `{"s": "${"é".repeat(2049)}"}`, /string value is 4098 bytes, limit 4096/],
    ["devices/dev-1/telemetry", `{"big": 1e400}`, /number out of range/],
    ["devices/dev-1/telemetry", `{"ts": ${NOW + 2 * 86_400_000}, "values": {"t": 1}}`, /in the future/],
    ["devices/dev-1/telemetry", `{"ts": 1700000000, "values": {"t": 1}}`, /in the past/],
    [
      "devices/dev-1/telemetry",
      `{"ts": "yesterday", "values": {"t": 1}}`,
      /expected epoch milliseconds or an ISO-8601/,
    ],
    ["devices/dev-1/telemetry", `{"values": {"t": 1}, "extra": 2}`, /unexpected key "extra"/],
    ["devices/dev-1/telemetry", `[]`, /empty array/],
    ["devices/dev-1/telemetry", `42`, /expected an object/],
    [
      "devices/dev-1/telemetry",
      JSON.stringify(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`m${i}`, i]))),
      /more than 1000 values/,
    ],
    ["devices/dev-1/state/reported", `[1, 2]`, /^state: /],
    ["devices/dev-1/commands/c1/ack", `{"status": "maybe"}`, /^ack: status: /],
    ["devices/dev-1/commands/c1/ack", `{"status": "ok", "surprise": 1}`, /^ack: /],
    [
      "devices/dev-1/ota/status",
      `{"jobId": "j1", "status": "installing", "progress": 150}`,
      /^ota status: progress: /,
    ],
    ["devices/dev-1/events", `{"data": {}}`, /^event: type: /],
    ["devices/dev-1/nonsense", `{}`, /unknown topic "devices\/dev-1\/nonsense"/],
    ["devices/dev-2/telemetry", `{"t": 1}`, /topic must start with devices\/dev-1\//],
    ["", `{}`, /topic must start with/],
  ];
  for (const [topic, payload, reason] of corpus) {
    const result = ingest(uplink(topic, payload));
    assert.match(rejected(result), reason, `${topic} ${String(payload).slice(0, 60)}`);
    assert.ok(!result.ok);
    assert.equal(result.rejected.type, "input.rejected");
    const data = result.rejected.data as {
      topic: string;
      reason: string;
      payloadBase64: string;
      deviceId?: string;
    };
    assert.equal(data.reason, result.reason);
    assert.equal(data.deviceId, "dev-1");
    const raw = typeof payload === "string" ? bytes(payload) : payload;
    assert.deepEqual(
      Uint8Array.from(atob(data.payloadBase64), (c) => c.charCodeAt(0)),
      raw.subarray(0, 256 * 1024), // a longer one keeps its first 256 KiB: see the last test
      "raw payload kept",
    );
    assert.deepEqual(result.notice, { topic, reason: result.reason, at: new Date(NOW).toISOString() });
  }
});

Deno.test("events, state, command acks and OTA status become their typed events", () => {
  const [event] = accepted(
    ingest(uplink("devices/dev-1/events", `{"type": "door.opened", "data": {"zone": 2}}`)),
  );
  assert.deepEqual(event!.data, { eventType: "door.opened", ts: NOW, data: { zone: 2 } });
  const [state] = accepted(ingest(uplink("devices/dev-1/state/reported", `{"fw": "1.2", "led": null}`)));
  assert.deepEqual([state!.type, state!.data], ["device.state.reported", {
    patch: { fw: "1.2", led: null },
  }]);
  const [ack] = accepted(
    ingest(uplink("devices/dev-1/commands/cmd-7/ack", `{"status": "error", "error": "busy"}`)),
  );
  assert.deepEqual([ack!.type, ack!.data], ["command.acked", {
    commandId: "cmd-7",
    status: "error",
    error: "busy",
  }]);
  const [progress] = accepted(
    ingest(uplink("devices/dev-1/ota/status", `{"jobId": "j1", "status": "downloading", "progress": 40}`)),
  );
  assert.deepEqual([progress!.type, progress!.data], ["ota.job.reported", {
    jobId: "j1",
    status: "downloading",
    progress: 40,
  }]);
  const [failed] = accepted(
    ingest(uplink("devices/dev-1/ota/status", `{"jobId": "j1", "status": "failed", "error": "no space"}`)),
  );
  assert.deepEqual([failed!.type, failed!.data], ["ota.job.reported", {
    jobId: "j1",
    status: "failed",
    error: "no space",
  }]);
});

Deno.test("NUL in what a rejection quotes (topic, metric name, client id) is escaped, never kept raw", () => {
  const cases: Uplink[] = [
    uplink("devices/dev-1/telemetry", '{"te\\u0000mp": 1}'),
    uplink("devices/dev-1/nowhere\u0000", "{}"),
    {
      ...uplink("devices/dev-1/commands/c1/ack", '{"status": "error", "error": "bad\\u0000"}'),
      clientId: "c\u0000",
    },
  ];
  for (const u of cases) {
    const result = ingest(u);
    assert.ok(!result.ok, u.topic);
    const data = result.rejected.data as { topic: string; reason: string; clientId?: string };
    for (const kept of [data.topic, data.reason, data.clientId ?? "", result.reason]) {
      assert.ok(!kept.includes("\u0000"), `raw NUL kept: ${JSON.stringify(kept)}`);
    }
    assert.equal(result.notice.topic, u.topic, "the device's notice names the topic as it was sent");
  }
});

Deno.test("a rejected payload beyond 256 KiB keeps its first 256 KiB, its size and its sha256", async () => {
  const payload = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
  const result = ingest(uplink("devices/dev-1/telemetry", payload));
  assert.equal(rejected(result), "payload is 1048576 bytes, limit 262144");
  assert.ok(!result.ok);
  const data = result.rejected.data as {
    payloadBase64: string;
    payloadTruncated?: { bytes: number; sha256: string };
  };
  const kept = Uint8Array.from(atob(data.payloadBase64), (c) => c.charCodeAt(0));
  assert.equal(kept.length, 256 * 1024);
  assert.ok(kept.every((b, i) => b === payload[i]), "the kept bytes are the payload's first bytes");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", payload));
  assert.deepEqual(data.payloadTruncated, {
    bytes: payload.length,
    sha256: [...digest].map((b) => b.toString(16).padStart(2, "0")).join(""),
  });
});
