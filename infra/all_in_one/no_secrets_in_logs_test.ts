// deno-lint-ignore-file no-explicit-any -- API answers are JSON checked field by field
/**
 * No secret ever reaches a log line. The all-in-one runs as a child process with JSON logs at
 * `debug` (the most it ever says), and the flows that handle secrets run against it: the admin
 * login and wrong-password logins, a device token used over MQTT (and a wrong one), a rotated token
 * (and the old one tried again), an API token (and a forged bearer token), two webhook endpoints
 * whose deliveries fail (one URL carrying a password and a token), and a signed firmware download
 * (and a tampered one). Then every line of its stdout and stderr must be a JSON object with `time`,
 * `level` and `msg`, and no line may hold any of those secrets, raw, base64 or URL-encoded. A
 * second test starts it on Kafka with a PostgreSQL URL whose password is wrong (and with one that
 * does not parse): it fails to start, saying so in JSON lines without the password.
 *
 * The checks on what was logged (refused logins, failed deliveries, requests) make sure the paths
 * that see the secrets did log something, so a quiet platform cannot pass by saying nothing. A third
 * test turns tracing on and finds the trace id of an incoming `traceparent` on the request's line.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { eventually } from "../../core/testing/eventually.ts";
import { freePort } from "../dev/free_port.ts";
import { connectDevice } from "./_ota_devices.ts";
import { deleteKafkaTopics, kafkaEnv } from "./_kafka_platform.ts";

const random = () => crypto.randomUUID().replaceAll("-", "");
const base64Of = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** The all-in-one as a child process; every line it writes to stdout and stderr is kept. */
function spawnPlatform(env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", new URL("./main.ts", import.meta.url).pathname],
    env: { ...env, AIOT_LOG_FORMAT: "json", AIOT_LOG_LEVEL: "debug", NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      lines.push(...parts);
    }
    if (rest) lines.push(rest);
  };
  const read = Promise.all([collect(child.stdout), collect(child.stderr)]);
  return {
    lines,
    /** Waits for the exit (after SIGINT unless it already ended) and for the last lines. */
    async stop(): Promise<Deno.CommandStatus> {
      try {
        child.kill("SIGINT");
      } catch { /* already gone */ }
      const status = await child.status;
      await read;
      return status;
    },
    status: child.status,
    read,
  };
}

/** Every line is a JSON log entry, and none holds a secret in any of the forms it travels in. */
function assertCleanLog(lines: string[], secrets: Record<string, string>): void {
  assert.ok(lines.length > 0, "the platform wrote log lines");
  for (const line of lines.filter((l) => l.trim() !== "")) {
    let entry: any;
    assert.doesNotThrow(() => entry = JSON.parse(line), `not a JSON line: ${line}`);
    assert.equal(typeof entry, "object", line);
    assert.ok(typeof entry.time === "string" && !Number.isNaN(Date.parse(entry.time)), `time: ${line}`);
    assert.ok(["debug", "info", "warn", "error"].includes(entry.level), `level: ${line}`);
    assert.equal(typeof entry.msg, "string", `msg: ${line}`);
    for (const [name, secret] of Object.entries(secrets)) {
      const bytes = new TextEncoder().encode(secret);
      for (const form of new Set([secret, base64Of(bytes), encodeURIComponent(secret)])) {
        assert.ok(!line.includes(form), `the ${name} is in a log line: ${line}`);
      }
    }
  }
}

const logged = (lines: string[], msg: string, where: (entry: any) => boolean = () => true) =>
  lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)).filter((e) => e.msg === msg && where(e));

/** A webhook receiver answering 500 to everything, keeping the signatures it was sent. */
function failingReceiver() {
  const signatures: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    signatures.push(request.headers.get("webhook-signature") ?? "");
    await request.body?.cancel();
    return new Response("boom", { status: 500 });
  });
  return { port: server.addr.port, signatures, close: () => server.shutdown() };
}

Deno.test({
  name: "no secret of the e2e flows (passwords, tokens, webhook secrets, signatures) reaches a log line",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "aiot-no-secrets-" });
    const httpPort = freePort();
    const mqttPort = freePort();
    const secrets: Record<string, string> = {
      "admin password": `Adm1n-${random()}`,
      "secret key": base64Of(crypto.getRandomValues(new Uint8Array(32))),
      "wrong password": `wr0ng-${random()}`,
      "unknown user's password": `n0body-${random()}`,
      "wrong device token": `bad-token-${random()}`,
      "forged bearer token": `forged-${random()}`,
      "webhook URL password": `hookpass-${random()}`,
      "webhook URL token": `hooktoken-${random()}`,
    };
    const platform = spawnPlatform({
      AIOT_DATA_DIR: dataDir,
      AIOT_HTTP_HOST: "127.0.0.1",
      AIOT_HTTP_PORT: String(httpPort),
      AIOT_MQTT_HOST: "127.0.0.1",
      AIOT_MQTT_PORT: String(mqttPort),
      AIOT_MQTTS_PORT: "0",
      AIOT_ADMIN_PASSWORD: secrets["admin password"]!,
      AIOT_SECRET_KEY: secrets["secret key"]!,
      AIOT_WEBHOOK_ALLOW_PRIVATE: "1",
      AIOT_WEBHOOK_RETRY_SECONDS: "0",
    });
    const receiver = failingReceiver();
    const base = `http://127.0.0.1:${httpPort}`;
    const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    let status: Deno.CommandStatus | undefined;
    try {
      await eventually("the platform serving", () => fetch(`${base}/readyz`).then((r) => r.ok, () => false), {
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      const call = async (method: string, path: string, body?: unknown, token?: string) => {
        const response = await fetch(`${base}/api/v1${path}`, {
          method,
          headers: {
            "content-type": "application/json",
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await response.text();
        return { status: response.status, json: text ? JSON.parse(text) : undefined };
      };
      const login = (username: string, password: string) =>
        call("POST", "/auth/login", { username, password });

      assert.equal((await login("admin", secrets["wrong password"]!)).status, 401);
      assert.equal((await login("nobody", secrets["unknown user's password"]!)).status, 401);
      const session = await login("admin", secrets["admin password"]!);
      assert.equal(session.status, 200);
      const admin = secrets["session token"] = session.json.token as string;

      // A device: its token over MQTT, a wrong token, a rotation, the old token again.
      const created = await call("POST", "/devices", { id: "nosecret-1" }, admin);
      assert.equal(created.status, 201);
      const first = secrets["device token"] = created.json.token as string;
      await assert.rejects(
        mqtt.connectAsync(mqttUrl, {
          username: "nosecret-1",
          password: secrets["wrong device token"]!,
          reconnectPeriod: 0,
        }),
      );
      const before = await connectDevice(mqttUrl, "nosecret-1", first, "silent");
      await before.client.publishAsync("devices/nosecret-1/telemetry", JSON.stringify({ t: 1 }), { qos: 1 });
      const rotated = await call("POST", "/devices/nosecret-1/token", undefined, admin);
      assert.equal(rotated.status, 200, JSON.stringify(rotated.json));
      const second = secrets["rotated device token"] = rotated.json.token as string;
      // The rotation dropped it: only the test's side is left to close.
      await before.close().catch(() => {});
      await assert.rejects(
        mqtt.connectAsync(mqttUrl, { username: "nosecret-1", password: first, reconnectPeriod: 0 }),
      );
      const device = await connectDevice(mqttUrl, "nosecret-1", second, "silent");

      // An API token, and a forged one.
      const apiToken = await call("POST", "/tokens", { name: "nosecret-ci", role: "operator" }, admin);
      assert.equal(apiToken.status, 201, JSON.stringify(apiToken.json));
      secrets["API token"] = apiToken.json.token as string;
      assert.equal((await call("GET", "/devices", undefined, secrets["API token"])).status, 200);
      assert.equal((await call("GET", "/devices", undefined, secrets["forged bearer token"])).status, 401);

      // Two webhooks whose deliveries fail: one answered 500, one whose URL carries credentials.
      const hooks = [
        `http://127.0.0.1:${receiver.port}/hook`,
        `http://hookuser:${secrets["webhook URL password"]}@127.0.0.1:${receiver.port}/hook?token=${
          secrets["webhook URL token"]
        }`,
      ];
      for (const [i, url] of hooks.entries()) {
        const hook = await call("POST", "/webhooks", { url, types: ["telemetry.reported"] }, admin);
        assert.equal(hook.status, 201, JSON.stringify(hook.json));
        secrets[`webhook secret ${i}`] = hook.json.secret as string;
        secrets[`webhook secret ${i} key`] = (hook.json.secret as string).replace(/^whsec_/, "");
      }
      await device.client.publishAsync("devices/nosecret-1/telemetry", JSON.stringify({ t: 2 }), { qos: 1 });
      await eventually(
        "both webhook deliveries failed",
        () => logged(platform.lines, "webhook delivery failed").length >= 2,
        { timeoutMs: 20_000 },
      );
      receiver.signatures.forEach((signature, i) => secrets[`webhook signature ${i}`] = signature);
      assert.ok(receiver.signatures.length >= 1, "the receiver was sent signed deliveries");

      // A firmware download URL, signed for one job, and a tampered one.
      const upload = await fetch(`${base}/api/v1/firmware?name=nosecret-fw&version=1.0.0`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/octet-stream" },
        body: new TextEncoder().encode("firmware image ".repeat(100)),
      });
      assert.equal(upload.status, 201);
      const firmwareId = (await upload.json()).id;
      const campaign = await call("POST", "/ota/campaigns", {
        name: "nosecret",
        firmwareId,
        target: { devices: ["nosecret-1"] },
      }, admin);
      assert.equal(campaign.status, 201, JSON.stringify(campaign.json));
      assert.equal(
        (await call("POST", `/ota/campaigns/${campaign.json.id}/start`, undefined, admin)).status,
        200,
      );
      const job = await eventually("the OTA job at the device", () => {
        const got = device.received.find((r) => r.suffix === "ota");
        return got?.payload as { url: string } | undefined;
      }, { timeoutMs: 20_000 });
      const signed = new URL(job.url);
      secrets["firmware URL signature"] = signed.searchParams.get("sig")!;
      const download = await fetch(signed);
      assert.equal(download.status, 200);
      await download.body?.cancel();
      signed.searchParams.set("sig", `${secrets["firmware URL signature"]!.slice(0, -2)}xx`);
      const tampered = await fetch(signed);
      assert.equal(tampered.status, 403);
      await tampered.body?.cancel();
      await device.close();
    } finally {
      await receiver.close();
      status = await platform.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
    assert.equal(status.code, 0, platform.lines.slice(-20).join("\n"));
    // The paths that saw the secrets did log, at debug and above.
    assert.ok(logged(platform.lines, "device login refused").length >= 2, "refused MQTT logins are logged");
    assert.ok(
      logged(platform.lines, "request", (e) => e.route === "/api/v1/auth/login" && e.status === 401).length >=
        2,
      "refused HTTP logins are logged",
    );
    assert.ok(
      logged(platform.lines, "webhook delivery failed", (e) => String(e.url).includes("[redacted]")).length >=
        1,
      "the failed delivery to the URL with credentials is logged, redacted",
    );
    assertCleanLog(platform.lines, secrets);
  },
});

Deno.test({
  name:
    "a Kafka + PostgreSQL configuration whose password is wrong or unreadable fails to start without printing it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const password = `pgpass-${random()}`;
    const postgresUrl = Deno.env.get("AIOT_TEST_POSTGRES_URL") ?? "postgres://aiot:aiot@127.0.0.1:15432/aiot";
    const wrong = new URL(postgresUrl);
    wrong.password = password;
    const env = { ...kafkaEnv("nosecrets"), AIOT_PARTITIONS: "1" };
    try {
      for (const url of [wrong.href, `postgres://aiot:${password}@[bad-host/aiot`]) {
        const platform = spawnPlatform({
          ...env,
          AIOT_DATA_DIR: await Deno.makeTempDir({ prefix: "aiot-no-secrets-pg-" }),
          AIOT_HTTP_HOST: "127.0.0.1",
          AIOT_HTTP_PORT: String(freePort()),
          AIOT_MQTT_HOST: "127.0.0.1",
          AIOT_MQTT_PORT: "0",
          AIOT_POSTGRES_URL: url,
        });
        const timer = setTimeout(() => platform.stop(), 60_000);
        const status = await platform.status;
        clearTimeout(timer);
        await platform.read;
        assert.equal(status.code, 1, platform.lines.join("\n"));
        assert.equal(logged(platform.lines, "AIOT cannot start").length, 1, platform.lines.join("\n"));
        assertCleanLog(platform.lines, { "PostgreSQL password": password });
      }
    } finally {
      await deleteKafkaTopics(env).catch(() => {});
    }
  },
});

Deno.test({
  name: "with tracing on, a request's log line carries the trace id of its span (an incoming traceparent's)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "aiot-log-trace-" });
    const httpPort = freePort();
    const platform = spawnPlatform({
      AIOT_DATA_DIR: dataDir,
      AIOT_HTTP_HOST: "127.0.0.1",
      AIOT_HTTP_PORT: String(httpPort),
      AIOT_MQTT_HOST: "127.0.0.1",
      AIOT_MQTT_PORT: "0",
      AIOT_ADMIN_PASSWORD: `Adm1n-${random()}`,
      // Spans are made (and their ids logged) whether or not the collector answers.
      OTEL_EXPORTER_OTLP_ENDPOINT: Deno.env.get("AIOT_TEST_OTLP_ENDPOINT") ??
        `http://127.0.0.1:${freePort()}`,
      OTEL_TRACES_SAMPLER: "parentbased_always_on",
    });
    const traceId = random();
    const wrong = `wr0ng-${random()}`;
    try {
      const base = `http://127.0.0.1:${httpPort}`;
      await eventually("the platform serving", () => fetch(`${base}/readyz`).then((r) => r.ok, () => false), {
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      const refused = await fetch(`${base}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
        body: JSON.stringify({ username: "admin", password: wrong }),
      });
      assert.equal(refused.status, 401);
      await refused.body?.cancel();
      await eventually("the request's log line", () => logged(platform.lines, "request").length > 0);
    } finally {
      await platform.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
    const [line] = logged(platform.lines, "request", (e) => e.route === "/api/v1/auth/login");
    assert.ok(line, platform.lines.join("\n"));
    assert.equal(line.traceId, traceId, JSON.stringify(line));
    assert.match(line.spanId, /^[0-9a-f]{16}$/);
    assert.notEqual(line.spanId, "00f067aa0ba902b7", "the server's own span, child of the caller's");
    // Tracing on (and an exporter that may fail) changes nothing of the rest.
    assertCleanLog(platform.lines, { "wrong password": wrong });
  },
});
