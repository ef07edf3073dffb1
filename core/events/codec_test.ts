import assert from "node:assert/strict";
import { createEvent, type EventData, type EventType, eventTypes } from "./catalog.ts";
import { decodeEvent, encodeEvent } from "./codec.ts";

const ts = Date.UTC(2025, 0, 31, 12, 0, 0);
const sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const credential = { algorithm: "sha256", hash: sha256 } as const;

/** A valid `data` for every event type; the mapped type makes a missing one a compile error. */
const samples: { [T in EventType]: EventData<T> } = {
  "telemetry.reported": {
    values: [
      { name: "temperature", value: 21.5, ts, unit: "°C", quality: "good" },
      { name: "door", value: true, ts, quality: "uncertain" },
      { name: "mode", value: "eco", ts: ts + 1, quality: "good" },
      { name: "fw/rev:2", value: "21.5", ts, quality: "bad" },
    ],
    qos: 1,
  },
  "device.registered": {
    name: "Boiler room",
    model: "th-10",
    labels: { site: "berlin" },
    credential,
    by: "admin",
  },
  "device.updated": { labels: { site: "paris", floor: "2" }, by: "admin" },
  "device.decommissioned": { reason: "replaced", by: "admin" },
  "device.credentials.rotated": { credential, by: "admin" },
  "device.connected": {
    clientId: "dev-1",
    remoteAddress: "10.0.0.7:51234",
    protocol: "mqtts",
    certificate: true,
  },
  "device.disconnected": { clientId: "dev-1-ota", reason: "keepalive_timeout" },
  "device.state.reported": { patch: { led: "on", config: { interval: 30, tags: ["a", null] } }, version: 7 },
  "device.state.desired": { patch: { led: "off", obsolete: null }, by: "operator" },
  "device.event.reported": { eventType: "door.opened", ts: 1_767_225_600_000, data: { zone: "front" } },
  "command.requested": {
    commandId: "cmd-1",
    name: "reboot",
    params: { delaySeconds: 5 },
    expiresAt: "2025-01-31T12:05:00.000Z",
    requestedBy: "operator",
  },
  "command.dispatched": { commandId: "cmd-1" },
  "command.acked": { commandId: "cmd-1", status: "error", result: { code: 3 }, error: "busy" },
  "command.failed": { commandId: "cmd-1", reason: "device decommissioned" },
  "command.expired": { commandId: "cmd-1" },
  "firmware.published": {
    firmwareId: "fw-th10-1.2.0",
    name: "th-10",
    version: "1.2.0",
    sha256,
    size: 482_304,
    by: "admin",
  },
  "firmware.deleted": { firmwareId: "fw-th10-1.2.0", by: "admin" },
  "ota.campaign.created": {
    campaignId: "c-1",
    name: "th-10 to 1.2.0",
    firmwareId: "fw-th10-1.2.0",
    version: "1.2.0",
    sha256,
    size: 482_304,
    target: { labels: { model: "th-10" } },
    waves: { percent: 10 },
    abort: { failurePercent: 20, minFinished: 10 },
    jobTimeoutSeconds: 3600,
    health: { seconds: 600 },
    by: "operator",
  },
  "ota.campaign.started": { campaignId: "c-1", devices: ["d-1", "d-2"], by: "admin" },
  "ota.campaign.paused": { campaignId: "c-1" },
  "ota.campaign.resumed": { campaignId: "c-1", by: "admin" },
  "ota.campaign.cancelled": { campaignId: "c-1", by: "admin" },
  "ota.campaign.aborted": {
    campaignId: "c-1",
    reason: "3 of 10 finished jobs failed",
    finished: 10,
    failures: 3,
  },
  "ota.campaign.completed": { campaignId: "c-1", succeeded: 41, failed: 1, timedOut: 0, cancelled: 0 },
  "ota.wave.started": { campaignId: "c-1", index: 0, size: 5 },
  "ota.wave.finished": { campaignId: "c-1", index: 0, succeeded: 4, failed: 0, timedOut: 1, cancelled: 0 },
  "ota.job.queued": {
    jobId: "job-1",
    campaignId: "c-1",
    firmwareId: "fw-th10-1.2.0",
    version: "1.2.0",
    sha256,
    size: 482_304,
    wave: 0,
  },
  "ota.job.dispatched": { jobId: "job-1", campaignId: "c-1" },
  "ota.job.reported": { jobId: "job-1", status: "succeeded", version: "1.2.0" },
  "ota.job.progress": { jobId: "job-1", campaignId: "c-1", status: "downloading", progress: 42.5 },
  "ota.job.succeeded": { jobId: "job-1", campaignId: "c-1", version: "1.2.0" },
  "ota.job.failed": {
    jobId: "job-1",
    campaignId: "c-1",
    error: "health",
    detail: "no telemetry",
    version: "1.1.9",
  },
  "ota.job.timed_out": { jobId: "job-1", campaignId: "c-1", status: "downloading" },
  "ota.job.cancelled": { jobId: "job-1", campaignId: "c-1", reason: "aborted" },
  "rule.defined": {
    ruleId: "hot",
    version: 1,
    name: "Too hot",
    condition: { kind: "threshold", metric: "temperature", op: ">=", value: 30, forSeconds: 60 },
    severity: "warning",
    enabled: true,
    scope: { devices: ["dev-1"] },
    clear: { hysteresis: 1.5 },
    actions: [{ kind: "command", name: "fan.on", params: { speed: 2 } }],
  },
  "rule.changed": {
    ruleId: "hot",
    version: 2,
    name: "Eco mode",
    condition: { kind: "threshold", metric: "mode", op: "!=", value: "eco" },
    severity: "info",
    enabled: false,
    by: "admin",
  },
  "rule.deleted": { ruleId: "hot", by: "admin" },
  "alert.raised": {
    alertId: "a-1",
    ruleId: "hot",
    ruleVersion: 1,
    deviceId: "dev-1",
    severity: "critical",
    raisedAt: 1_700_000_000_000,
    value: 31.2,
    message: "temperature >= 30",
  },
  "alert.updated": { alertId: "a-1", ruleId: "hot", deviceId: "dev-1", at: 1_700_000_010_000, lastValue: 33 },
  "alert.acknowledged": { alertId: "a-1", ruleId: "hot", deviceId: "dev-1", by: "operator" },
  "alert.cleared": {
    alertId: "a-1",
    ruleId: "hot",
    deviceId: "dev-1",
    clearedAt: 1_700_000_060_000,
    value: 24,
    reason: "normal",
  },
  "input.rejected": {
    topic: "devices/dev-1/telemetry",
    reason: "invalid JSON",
    payloadBase64: btoa("{temperature: 21.5"),
    deviceId: "dev-1",
    clientId: "dev-1",
    receivedAt: "2025-01-31T12:00:00.000Z",
  },
  "camera.configured": {
    name: "Gate",
    labels: { site: "north" },
    source: { kind: "rtsp", url: "rtsp://cam.example.com:554/stream1" },
    credentials: "v1.c2VhbGVk",
    record: true,
    retentionHours: 24,
    by: "op",
  },
  "camera.removed": { by: "op" },
  "camera.stream.online": { source: "rtsp", codec: "h264", width: 1280, height: 720 },
  "camera.stream.offline": { reason: "wrong credentials (401)" },
};

Deno.test("the sample table covers every event type", () => {
  assert.deepEqual(Object.keys(samples).sort(), [...eventTypes].sort());
});

for (const type of eventTypes) {
  Deno.test(`encodeEvent()/decodeEvent() round-trip ${type}`, () => {
    const event = createEvent(type, samples[type], {
      key: "dev-1",
      source: "api",
      time: ts - 500,
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      now: () => ts,
    });
    const text = encodeEvent(event);
    const decoded = decodeEvent(text);
    assert.deepEqual(decoded, { ok: true, event });
    assert.equal(encodeEvent(event), text, "encoding is stable");
  });
}

Deno.test("decodeEvent() reports malformed JSON instead of throwing", () => {
  const result = decodeEvent('{"id": ');
  assert.equal(result.ok, false);
  assert.match(result.ok ? "" : result.reason, /^invalid JSON: /);
});

Deno.test("decodeEvent() reports an invalid envelope", () => {
  const result = decodeEvent("[]");
  assert.equal(result.ok, false);
  assert.match(result.ok ? "" : result.reason, /^invalid envelope: /);
});

Deno.test("decodeEvent() keeps a numeric string a string", () => {
  const event = createEvent("telemetry.reported", { values: [{ name: "code", value: "007", ts }] }, {
    key: "dev-1",
    source: "ingest",
  });
  const decoded = decodeEvent(encodeEvent(event));
  assert.ok(decoded.ok && decoded.event.type === "telemetry.reported");
  assert.equal(decoded.event.data.values[0]?.value, "007");
});
