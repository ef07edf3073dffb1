// deno-lint-ignore-file no-explicit-any -- HTTP bodies are JSON checked field by field
/**
 * Real MQTT devices for the OTA end-to-end tests: each subscribes to its `ota` and `errors`
 * downlinks, records what it receives, answers a job as its behaviour says (downloading →
 * installing → succeeded with the job's version, another version, a failure, or nothing) and
 * reports telemetry while `reporting` is on (the health gate watches it).
 */
import mqtt from "mqtt";

/** `ack`: reports `downloading`, then nothing (the test finishes the job by hand). */
export type Behaviour = "succeed" | "wrong-version" | "fail" | "silent" | "ack";

export interface TestDevice {
  id: string;
  client: mqtt.MqttClient;
  /** `ota` and `errors` downlinks, in arrival order. */
  received: { suffix: string; payload: any }[];
  behaviour: Behaviour;
  reporting: boolean;
  /** Publishes on `devices/{id}/{suffix}`. */
  publish(suffix: string, payload: unknown): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects `id` with a persistent session (as a real device would: its subscriptions outlive a
 * connection, so a job sent the moment it reconnects is not lost before it subscribes again).
 */
export async function connectDevice(
  mqttUrl: string,
  id: string,
  token: string,
  behaviour: Behaviour,
): Promise<TestDevice> {
  const client = mqtt.connect(mqttUrl, {
    username: id,
    password: token,
    clientId: id,
    clean: false,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  const publish = (suffix: string, payload: unknown) =>
    client.publishAsync(`devices/${id}/${suffix}`, JSON.stringify(payload), { qos: 1 }).then(() => {});
  const timer = setInterval(() => {
    if (device.reporting && client.connected) {
      client.publishAsync(`devices/${id}/telemetry`, JSON.stringify({ temperature: 20 }), { qos: 0 }).catch(
        () => {},
      );
    }
  }, 200);
  const device: TestDevice = {
    id,
    client,
    received: [],
    behaviour,
    reporting: true,
    publish,
    async close() {
      clearInterval(timer);
      await client.endAsync();
    },
  };
  // Queued messages may come in the same read as the CONNACK: listen before it.
  client.on("message", (topic, payload) => {
    const suffix = topic.slice(`devices/${id}/`.length);
    const job = JSON.parse(new TextDecoder().decode(payload));
    device.received.push({ suffix, payload: job });
    if (suffix !== "ota" || device.behaviour === "silent") return;
    const status = (body: Record<string, unknown>) => publish("ota/status", { jobId: job.jobId, ...body });
    (async () => {
      await status({ status: "downloading", progress: 50 });
      if (device.behaviour === "ack") return;
      await status({ status: "installing" });
      if (device.behaviour === "fail") await status({ status: "failed", error: "flash write failed" });
      else {
        const version = device.behaviour === "wrong-version" ? "0.0.1" : job.version;
        await status({ status: "succeeded", version });
      }
    })().catch(() => {});
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
    });
    await client.subscribeAsync([`devices/${id}/ota`, `devices/${id}/errors`], { qos: 1 });
  } catch (error) {
    clearInterval(timer);
    client.end(true);
    throw error;
  }
  return device;
}

/** Small HTTP client of the API as the admin. */
export function apiClient(base: string, headers: Record<string, string>) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}/api/v1${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined as any };
  };
}

/** Uploads a small image as `name` `version`; returns its id. */
export async function uploadFirmware(
  base: string,
  headers: Record<string, string>,
  name: string,
  version: string,
): Promise<string> {
  const response = await fetch(`${base}/api/v1/firmware?name=${name}&version=${version}`, {
    method: "POST",
    headers: { authorization: headers.authorization!, "content-type": "application/octet-stream" },
    body: new TextEncoder().encode(`image ${name} ${version} `.repeat(100)),
  });
  const body = await response.json();
  if (response.status !== 201) throw new Error(`upload: ${response.status} ${JSON.stringify(body)}`);
  return body.id;
}
