/**
 * Backup under load, restore, resume: devices publish QoS 1 telemetry to the all-in-one without
 * pause while `aiot backup` runs from another process; the backup is restored into a fresh data
 * directory and a new all-in-one started on it. Every message acknowledged before the backup began
 * must be in the restored log and time series, and the projections must resume from the restored
 * offsets and checkpoints without counting anything twice.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import mqtt, { type MqttClient } from "mqtt";
import { decodeEvent } from "../../core/events/codec.ts";
import { eventually } from "../../core/testing/eventually.ts";
import { freePort } from "../dev/free_port.ts";
import { createSqliteEventLog } from "../sqlite/sqlite_event_log.ts";
import { readManifest } from "./manifest.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PASSWORD = "backup-test-admin";
const DEVICES = ["bk-1", "bk-2", "bk-3"];
const TELEMETRY = "aiot.telemetry";
/** QoS 1 messages each device keeps in flight. */
const WINDOW = 8;

Deno.test({
  name: "aiot backup under load → restore → every acknowledged event is back, projections resume once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const scratch = await Deno.makeTempDir({ prefix: "aiot-backup-test-" });
    const [live, restored, backup] = [`${scratch}/live`, `${scratch}/restored`, `${scratch}/backup`];

    // 1. Load on the live platform; the backup runs from another process meanwhile.
    const platform = await startAllInOne(live);
    const tokens = await createDevices(platform.base);
    const load = await startLoad(platform.mqttPort, tokens);
    let ackedBefore: Map<string, Set<number>>;
    try {
      await eventually("200 acknowledged messages per device", () => load.minAcked() >= 200, {
        timeoutMs: 60_000,
      });
      ackedBefore = load.snapshot();
      const ackedAtStart = load.total();
      const backedUp = await cli(["backup", backup], live);
      assert.equal(backedUp.code, 0, backedUp.output);
      console.error(backedUp.output.trim());
      assert.ok(load.total() > ackedAtStart, "devices were acknowledged while the backup ran");
      // The platform goes on ingesting after the backup.
      const after = load.minAcked() + 50;
      await eventually("50 more messages per device", () => load.minAcked() >= after, { timeoutMs: 60_000 });
    } finally {
      await load.stop();
      await platform.stop();
    }

    // 2. Restore into a fresh data directory; a non-empty one is refused.
    const restoredRun = await cli(["restore", backup], restored);
    assert.equal(restoredRun.code, 0, restoredRun.output);
    const again = await cli(["restore", backup], restored);
    assert.equal(again.code, 1);
    assert.match(again.output, /not empty/);

    // 3. The restored log holds every message acknowledged before the backup began.
    const manifest = await readManifest(backup);
    const logged = await telemetryInLog(`${restored}/log.db`);
    for (const [device, seqs] of ackedBefore) {
      const found = logged.get(device)?.seqs ?? new Set();
      const missing = [...seqs].filter((seq) => !found.has(seq));
      assert.deepEqual(missing, [], `${device}: acknowledged before the backup, not in the restored log`);
    }
    const ends = manifest.logEndOffsets[TELEMETRY]!;
    assert.equal(
      [...logged.values()].reduce((n, d) => n + d.events, 0),
      ends.reduce((a, b) => a + b, 0),
      "the manifest's end offsets count the restored log's telemetry",
    );

    // 4. A platform on the restored directory resumes its projections to the log's end.
    const resumed = await startAllInOne(restored);
    try {
      await eventually("projections caught up with the restored log", () => caughtUp(restored, ends), {
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      for (const device of DEVICES) {
        const response = await fetch(`${resumed.base}/api/v1/devices/${device}/metrics`, {
          headers: resumed.auth,
        });
        const { items } = await response.json();
        const seq = items.find((m: { metric: string }) => m.metric === "seq");
        assert.equal(seq?.count, logged.get(device)!.events, `${device}: device_metrics count = log events`);
      }
    } finally {
      await resumed.stop();
    }

    // 5. The time series holds exactly the log's points, each rolled up once.
    const db = new DatabaseSync(`${restored}/timeseries.db`, { readOnly: true });
    try {
      for (const device of DEVICES) {
        const series = db.prepare("SELECT id FROM ts_series WHERE device_id = ? AND metric = 'seq'").get(
          device,
        );
        const times = db.prepare("SELECT t FROM ts_points WHERE series = ?").all(series!.id as number)
          .map((row) => row.t as number);
        const expected = logged.get(device)!.times;
        assert.equal(times.length, expected.size, `${device}: time-series points = log points`);
        assert.ok(times.every((t) => expected.has(t)), `${device}: no point the log does not have`);
        const rolled = db.prepare(
          "SELECT SUM(count) AS n FROM ts_rollups WHERE series = ? AND level = (SELECT MAX(level) FROM ts_rollups)",
        ).get(series!.id as number);
        assert.equal(rolled?.n, expected.size, `${device}: each point rolled up once`);
      }
    } finally {
      db.close();
    }
    await Deno.remove(scratch, { recursive: true });
  },
});

interface Running {
  base: string;
  mqttPort: number;
  auth: { authorization: string };
  stop(): Promise<void>;
}

async function startAllInOne(dataDir: string): Promise<Running> {
  const [http, mqttPort] = [freePort(), freePort()];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${ROOT}infra/all_in_one/main.ts`],
    env: {
      AIOT_DATA_DIR: dataDir,
      AIOT_HTTP_HOST: "127.0.0.1",
      AIOT_HTTP_PORT: String(http),
      AIOT_MQTT_HOST: "127.0.0.1",
      AIOT_MQTT_PORT: String(mqttPort),
      AIOT_MQTTS_PORT: "0",
      AIOT_ADMIN_PASSWORD: PASSWORD,
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = collect(child.stderr);
  const base = `http://127.0.0.1:${http}`;
  const stop = async () => {
    child.kill("SIGINT");
    const status = await child.status;
    assert.equal(status.code, 0, await stderr);
  };
  try {
    const token = await eventually("the all-in-one to accept the admin's login", async () => {
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: PASSWORD }),
      }).catch(() => undefined);
      return login?.ok ? (await login.json()).token as string : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    return { base, mqttPort, auth: { authorization: `Bearer ${token}` }, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

async function createDevices(base: string): Promise<Map<string, string>> {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: PASSWORD }),
  });
  const { token: session } = await login.json();
  const tokens = new Map<string, string>();
  for (const id of DEVICES) {
    const created = await fetch(`${base}/api/v1/devices`, {
      method: "POST",
      headers: { authorization: `Bearer ${session}`, "content-type": "application/json" },
      body: JSON.stringify({ id }),
    });
    assert.equal(created.status, 201);
    tokens.set(id, (await created.json()).token);
  }
  return tokens;
}

/**
 * Each device publishes `{ts, seq}` at QoS 1 with WINDOW messages in flight until stopped; `ts`
 * grows with `seq`, so every message is a distinct time-series point.
 */
async function startLoad(port: number, tokens: Map<string, string>) {
  const acked = new Map<string, Set<number>>(DEVICES.map((d) => [d, new Set()]));
  let running = true;
  const base = Date.now();
  const clients: MqttClient[] = [];
  const workers: Promise<void>[] = [];
  for (const [id, token] of tokens) {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      username: id,
      password: token,
      reconnectPeriod: 0,
    });
    clients.push(client);
    let next = 0;
    for (let w = 0; w < WINDOW; w++) {
      workers.push((async () => {
        while (running) {
          const seq = next++;
          await client.publishAsync(`devices/${id}/telemetry`, JSON.stringify({ ts: base + seq, seq }), {
            qos: 1,
          });
          acked.get(id)!.add(seq);
        }
      })());
    }
  }
  return {
    minAcked: () => Math.min(...[...acked.values()].map((s) => s.size)),
    total: () => [...acked.values()].reduce((n, s) => n + s.size, 0),
    snapshot: () => new Map([...acked].map(([id, seqs]) => [id, new Set(seqs)])),
    async stop() {
      running = false;
      await Promise.all(workers);
      await Promise.all(clients.map((c) => c.endAsync()));
    },
  };
}

/** Runs the operator CLI against `dataDir`; its exit code and what it printed. */
async function cli(args: string[], dataDir: string): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${ROOT}infra/cli/main.ts`, ...args],
    env: { AIOT_DATA_DIR: dataDir },
  }).output();
  const text = new TextDecoder();
  return { code, output: text.decode(stdout) + text.decode(stderr) };
}

/** Per device: telemetry events, their `seq` values and point times, from a log file. */
async function telemetryInLog(path: string) {
  const found = new Map<string, { events: number; seqs: Set<number>; times: Set<number> }>();
  const log = createSqliteEventLog({ path });
  try {
    for await (const chunk of log.replay(TELEMETRY)) {
      for (const record of chunk) {
        const decoded = decodeEvent(record.value);
        if (!decoded.ok || decoded.event.type !== "telemetry.reported") continue;
        const device = found.get(decoded.event.key) ??
          found.set(decoded.event.key, { events: 0, seqs: new Set(), times: new Set() }).get(
            decoded.event.key,
          )!;
        device.events++;
        for (const v of decoded.event.data.values) {
          if (v.name === "seq") device.seqs.add(v.value as number);
          device.times.add(v.ts);
        }
      }
    }
  } finally {
    await log.close();
  }
  return found;
}

/**
 * Whether both projectors reached the log's end on every telemetry partition: the `timeseries`
 * consumer group's committed offsets and the `device_metrics` read model's checkpoints.
 */
function caughtUp(dataDir: string, ends: number[]): boolean {
  const offsets = new DatabaseSync(`${dataDir}/log.offsets.db`, { readOnly: true });
  const readModels = new DatabaseSync(`${dataDir}/readmodels.db`, { readOnly: true });
  try {
    return ends.every((end, partition) => {
      const committed = offsets.prepare(
        "SELECT next_offset AS n FROM commits WHERE grp = 'timeseries' AND topic = ? AND partition = ?",
      ).get(TELEMETRY, partition);
      const checkpoint = readModels.prepare(
        `SELECT next_offset AS n FROM projection_checkpoints
         WHERE model = 'device_metrics' AND processor = 'readmodels' AND topic = ? AND partition = ?`,
      ).get(TELEMETRY, partition);
      const [timeseries, deviceMetrics] = [committed?.n ?? 0, checkpoint?.n ?? 0] as number[];
      // Past the end: a store was backed up ahead of the log (the order the backup must avoid).
      assert.ok(timeseries! <= end, `timeseries offset ${timeseries} past the log's end ${end}`);
      assert.ok(
        deviceMetrics! <= end,
        `device_metrics checkpoint ${deviceMetrics} past the log's end ${end}`,
      );
      return timeseries === end && deviceMetrics === end;
    });
  } finally {
    offsets.close();
    readModels.close();
  }
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) text += chunk;
  return text;
}
