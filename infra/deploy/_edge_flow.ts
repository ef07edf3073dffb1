// deno-lint-ignore-file no-explicit-any -- HTTP and SSE bodies are JSON checked field by field
/**
 * The device → API → SSE → command flow as outside clients run it against a deployment's edge
 * (nginx over TLS, verified against the AIOT CA): an operator logs in, registers a device and
 * opens the live stream; the device connects over MQTT (WSS through nginx, or straight to the
 * broker), publishes telemetry, which must come out of the stream and the telemetry API; then a
 * command goes to the device, which acks it, and the API reports it acked.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { eventually } from "../../core/testing/eventually.ts";

export interface Edge {
  /** `https://host:port` of nginx. */
  https: string;
  /** An HTTP client that trusts the AIOT CA. */
  client: Deno.HttpClient;
  /** The AIOT CA certificate (PEM), for the device's WSS connection. */
  caPem: string;
}

export interface FlowOptions {
  adminPassword: string;
  deviceId: string;
  /** Where the device connects: `wss://…/mqtt` (the CA is trusted) or `mqtt://…`. */
  deviceMqttUrl: string;
  /** Bounds each wait (default 30 s). */
  timeoutMs?: number;
}

/** `fetch` through the edge with the CA-trusting client. */
export function edgeFetch(edge: Edge, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${edge.https}${path}`, { ...init, client: edge.client });
}

/** Logs in as admin through the edge: bearer and JSON headers. */
export async function adminHeaders(edge: Edge, password: string): Promise<Record<string, string>> {
  const login = await edgeFetch(edge, "/api/v1/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password }),
  });
  const body = await login.text();
  assert.equal(login.status, 200, `admin login through the edge: ${body}`);
  return { authorization: `Bearer ${JSON.parse(body).token}`, "content-type": "application/json" };
}

/** Reads SSE frames until `predicate` holds for one event; rejects when the stream ends first. */
export async function nextEvent(
  stream: ReadableStreamDefaultReader<string>,
  predicate: (event: { event: string; data: any }) => boolean,
): Promise<{ event: string; id: string; data: any }> {
  let buffer = "";
  for (;;) {
    const { value, done } = await stream.read();
    if (done) throw new Error("the SSE stream ended before the expected event");
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(
        frame.split("\n").filter((l) => !l.startsWith(":") && l.includes(": "))
          .map((l) => [l.slice(0, l.indexOf(": ")), l.slice(l.indexOf(": ") + 2)]),
      );
      if (!fields.event || !fields.data) continue;
      const event = { event: fields.event, id: fields.id ?? "", data: JSON.parse(fields.data) };
      if (predicate(event)) return event;
    }
  }
}

const within = <T>(what: string, ms: number, promise: Promise<T>): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

/** Runs the whole flow; resolves with what was seen, throws (assertion) at the first miss. */
export async function deviceFlowThroughEdge(
  edge: Edge,
  options: FlowOptions,
): Promise<{ commandId: string }> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const id = options.deviceId;
  const headers = await adminHeaders(edge, options.adminPassword);
  const created = await edgeFetch(edge, "/api/v1/devices", {
    method: "POST",
    headers,
    body: JSON.stringify({ id, labels: { via: "edge" } }),
  });
  const device = await created.json();
  assert.equal(created.status, 201, JSON.stringify(device));

  const stream = await edgeFetch(edge, `/api/v1/stream?types=telemetry.reported&device=${id}`, { headers });
  assert.equal(stream.status, 200);
  assert.equal(stream.headers.get("content-type"), "text/event-stream");
  const events = stream.body!.pipeThrough(new TextDecoderStream()).getReader();

  const client = await within(
    `the device's MQTT connection to ${options.deviceMqttUrl}`,
    timeoutMs,
    mqtt.connectAsync(options.deviceMqttUrl, {
      clientId: id,
      username: id,
      password: device.token,
      reconnectPeriod: 0,
      connectTimeout: timeoutMs,
      ...(options.deviceMqttUrl.startsWith("wss:") ? { ca: edge.caPem, rejectUnauthorized: true } : {}),
    }),
  );
  try {
    // The device acks every command it receives.
    const commands: string[] = [];
    client.on("message", (topic) => {
      const commandId = /^devices\/[^/]+\/commands\/([^/]+)$/.exec(topic)?.[1];
      if (!commandId) return;
      commands.push(commandId);
      client.publish(`${topic}/ack`, JSON.stringify({ status: "ok", result: { rebooted: true } }), {
        qos: 1,
      });
    });
    await client.subscribeAsync(`devices/${id}/commands/+`, { qos: 1 });

    const value = Math.round(Math.random() * 1000) / 10;
    const seen = nextEvent(events, (e) => e.data.key === id);
    await client.publishAsync(`devices/${id}/telemetry`, JSON.stringify({ temperature: value }), { qos: 1 });
    const event = await within("the telemetry event on the SSE stream", timeoutMs, seen);
    assert.equal(event.event, "telemetry.reported");
    assert.deepEqual(event.data.data.values.map((v: { value: unknown }) => v.value), [value]);

    await eventually("the telemetry point in the API", async () => {
      const r = await edgeFetch(edge, `/api/v1/devices/${id}/telemetry?metric=temperature&from=0`, {
        headers,
      });
      const body = await r.json();
      return body.points?.some((p: { v: number }) => p.v === value);
    }, { timeoutMs, intervalMs: 200 });

    const requested = await edgeFetch(edge, `/api/v1/devices/${id}/commands`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "reboot", params: { delay: 1 } }),
    });
    const command = await requested.json();
    assert.equal(requested.status, 202, JSON.stringify(command));
    const final = await eventually("the command acked by the device", async () => {
      const r = await edgeFetch(edge, `/api/v1/commands/${command.commandId}`, { headers });
      const body = await r.json();
      return body.status === "acked" ? body : undefined;
    }, { timeoutMs, intervalMs: 200 });
    assert.deepEqual(final.result, { rebooted: true });
    assert.ok(commands.includes(command.commandId), "the device received the command");
    return { commandId: command.commandId };
  } finally {
    await events.cancel().catch(() => {});
    await client.endAsync(true).catch(() => {});
  }
}
