/**
 * Bench `ota` (issue 13): one campaign to a large emulated fleet on the embedded all-in-one — every
 * device online and answering at once, one wave, no health gate — timed from `start` to the
 * campaign's `completed`, with the platform's CPU and peak RSS over that time; then firmware
 * download throughput against a plain `Deno.serve` file server in the same run
 * (bench/firmware_download.ts, as a child).
 *
 * The platform runs in this process (its API served on a known port, so the signed URLs it hands
 * out are reachable); the devices run in child processes (bench/ota_devices_child.ts) of
 * `perProcess` npm:mqtt clients each. Devices are registered straight on the log, all with one
 * token whose hash uses a cheap scrypt cost: the real cost (logN 14, ~0.15 s per verification on
 * this shared 2-core machine) would spend minutes authenticating 5,000 first connections — setup,
 * not the campaign being measured.
 */
import { createApp } from "../api/app.ts";
import { createEvent } from "../core/events/catalog.ts";
import { toLogMessage } from "../core/events/codec.ts";
import { getDevice } from "../core/readmodels/mod.ts";
import { apiDeps, ensureAdminUser } from "../infra/all_in_one/api_wiring.ts";
import { startPlatform } from "../infra/all_in_one/platform.ts";
import { hashSecret } from "../infra/auth/secrets.ts";
import { loadConfig } from "../infra/config/config.ts";
import { freePort } from "../infra/dev/free_port.ts";
import { rssMiB, type Usage, watchProcesses } from "./proc_stats.ts";

export interface OtaBenchOptions {
  devices: number;
  perProcess: number;
  imageBytes: number;
  /** Rounds of bench/firmware_download.ts (0: skip it). */
  downloadRounds: number;
  /** Gives up waiting for the campaign after this long. */
  campaignTimeoutMs: number;
  progress: (line: string) => void;
}

export interface OtaBenchResult {
  devices: number;
  processes: number;
  imageBytes: number;
  registerMs: number;
  connectMs: number;
  /** `POST …/start` → the campaign read as `completed` (or how it ended). */
  campaignMs: number;
  /** `POST …/start` → every device reported `succeeded` (device side). */
  devicesDoneMs: number;
  status: string;
  /** The platform's RSS with the fleet connected, just before the start. */
  idleRssMiB: number;
  counts: Record<string, number>;
  usage: Usage[];
  downloads: { server: string; mbps: number; ratio: number }[];
}

const TOKEN = "bench-ota-token";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface DeviceStats {
  connected: number;
  otaJobs: number;
  otaFailed: number;
  connectErrors: number;
  lastError?: string;
}

/** One child of `perProcess` devices; `latest` is its newest counters line. */
function spawnDevices(brokerUrl: string, from: number, count: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./ota_devices_child.ts", import.meta.url).pathname,
      brokerUrl,
      "ota-",
      String(from),
      String(count),
      TOKEN,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const state = { child, latest: undefined as DeviceStats | undefined };
  (async () => {
    let buffer = "";
    for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += text;
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      const last = lines.at(-1);
      if (last) state.latest = JSON.parse(last);
    }
  })().catch(() => {});
  return state;
}

async function downloadThroughput(rounds: number, progress: (line: string) => void) {
  progress(`  ota: firmware download throughput (bench/firmware_download.ts --rounds ${rounds})`);
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./firmware_download.ts", import.meta.url).pathname,
      "--rounds",
      String(rounds),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) throw new Error(`firmware_download.ts failed:\n${text}`);
  // Rows: | server | MB/s (median) | rounds | ratio to plain |
  return text.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| server")).map((line) => {
    const cells = line.split("|").map((c) => c.trim());
    return { server: cells[1]!, mbps: Number(cells[2]), ratio: Number(cells[4]) };
  });
}

export async function measureOta(options: OtaBenchOptions): Promise<OtaBenchResult> {
  const { progress } = options;
  const dataDir = await Deno.makeTempDir({ prefix: "aiot-bench-ota-" });
  const http = freePort();
  const adminPassword = `admin-${crypto.randomUUID()}`;
  const config = loadConfig({
    AIOT_DATA_DIR: dataDir,
    AIOT_HTTP_PORT: String(http),
    AIOT_PUBLIC_URL: `http://127.0.0.1:${http}`,
    AIOT_MQTT_PORT: "0",
    AIOT_MQTT_HOST: "127.0.0.1",
    AIOT_ADMIN_PASSWORD: adminPassword,
    // Every bench connection comes from 127.0.0.1: the per-address cap is meant for the wide world.
    AIOT_MQTT_MAX_CONNECTIONS: "1000000",
    AIOT_MQTT_MAX_CONNECTIONS_PER_ADDRESS: "1000000",
  });
  const platform = await startPlatform(config);
  await ensureAdminUser(config, platform.users);
  const app = createApp(apiDeps(config, platform));
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: http, onListen: () => {} },
    (request, info) => app.fetch(request, info),
  );
  const base = `http://127.0.0.1:${http}`;
  const fleets: ReturnType<typeof spawnDevices>[] = [];
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      await stopFleets(fleets);
      await server.shutdown();
      await platform.stop();
    })();
  try {
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: adminPassword }),
    }).then((r) => r.json());
    const headers = { authorization: `Bearer ${login.token}`, "content-type": "application/json" };
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}/api/v1${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = await response.json();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };

    // --- Devices, straight on the log (what the registry appends), then read back.
    let started = performance.now();
    const credential = await hashSecret(TOKEN, { logN: 4, r: 8, p: 1 });
    const ids = Array.from({ length: options.devices }, (_, i) => `ota-${i}`);
    for (let i = 0; i < ids.length; i += 500) {
      await platform.log.append(
        platform.topics.device,
        ids.slice(i, i + 500).map((id) =>
          toLogMessage(
            createEvent("device.registered", { labels: { bench: "ota" }, credential, by: "bench" }, {
              key: id,
              source: "bench",
            }),
          )
        ),
      );
    }
    for (const id of ids) {
      while (!(await getDevice(platform.readModels, id))) await sleep(50);
    }
    const registerMs = performance.now() - started;
    progress(`  ota: ${ids.length} devices registered in ${Math.round(registerMs)} ms`);

    const image = Uint8Array.from({ length: options.imageBytes }, (_, i) => (i * 2654435761) >>> 24);
    const upload = await fetch(`${base}/api/v1/firmware?name=bench-ota&version=2.0.0`, {
      method: "POST",
      headers: { authorization: headers.authorization, "content-type": "application/octet-stream" },
      body: image,
    });
    const firmware = await upload.json();
    if (upload.status !== 201) throw new Error(`upload: ${upload.status} ${JSON.stringify(firmware)}`);

    // --- The fleet, in child processes.
    started = performance.now();
    const brokerUrl = `mqtt://127.0.0.1:${platform.broker!.mqttPort}`;
    for (let from = 0; from < ids.length; from += options.perProcess) {
      fleets.push(spawnDevices(brokerUrl, from, Math.min(options.perProcess, ids.length - from)));
    }
    const sum = (field: keyof DeviceStats) => fleets.reduce((s, f) => s + Number(f.latest?.[field] ?? 0), 0);
    for (let logged = 0; sum("connected") < ids.length;) {
      if (performance.now() - started > 120_000) {
        const error = fleets.map((f) => f.latest?.lastError).find(Boolean);
        throw new Error(
          `only ${sum("connected")}/${ids.length} devices connected after 120 s (${error ?? "no error"})`,
        );
      }
      if (performance.now() - started > logged + 5000) {
        logged += 5000;
        progress(`  ota: ${sum("connected")}/${ids.length} devices connected`);
      }
      await sleep(100);
    }
    const connectMs = performance.now() - started;
    progress(`  ota: ${ids.length} devices connected and subscribed in ${Math.round(connectMs)} ms`);

    // --- The campaign.
    const campaign = await api("POST", "/ota/campaigns", {
      name: "bench",
      firmwareId: firmware.id,
      target: { labels: { bench: "ota" } },
      jobTimeoutSeconds: 600,
    });
    const idleRssMiB = rssMiB({ label: "platform", pid: Deno.pid });
    const watch = watchProcesses([
      { label: "platform (embedded, in the bench process)", pid: Deno.pid },
      ...fleets.map((f, i) => ({ label: `devices ${i + 1}`, pid: f.child.pid, own: true })),
    ], 250);
    started = performance.now();
    await api("POST", `/ota/campaigns/${campaign.id}/start`);
    let devicesDoneMs = NaN;
    let view: { status: string; counts: Record<string, number> };
    for (let logged = 0;;) {
      view = await api("GET", `/ota/campaigns/${campaign.id}`);
      const elapsed = performance.now() - started;
      if (Number.isNaN(devicesDoneMs) && sum("otaJobs") + sum("otaFailed") >= ids.length) {
        devicesDoneMs = elapsed;
      }
      if (["completed", "aborted", "cancelled"].includes(view.status)) break;
      if (elapsed > options.campaignTimeoutMs) break;
      if (elapsed > logged + 5000) {
        logged += 5000;
        progress(
          `  ota: ${Math.round(elapsed / 1000)} s: ${JSON.stringify(view.counts)}, devices done ${
            sum("otaJobs")
          }`,
        );
      }
      await sleep(100);
    }
    const campaignMs = performance.now() - started;
    const usage = watch.stop();
    // The children's counters come every 250 ms: the platform may see the end first.
    for (let waited = 0; Number.isNaN(devicesDoneMs) && waited < 2000; waited += 50) {
      await sleep(50);
      if (sum("otaJobs") + sum("otaFailed") >= ids.length) devicesDoneMs = performance.now() - started;
    }
    progress(
      `  ota: campaign ${view.status} in ${Math.round(campaignMs)} ms: ${JSON.stringify(view.counts)}`,
    );
    const result = {
      devices: ids.length,
      processes: fleets.length,
      imageBytes: options.imageBytes,
      registerMs,
      connectMs,
      campaignMs,
      devicesDoneMs,
      status: view.status,
      idleRssMiB,
      counts: view.counts,
      usage,
    };
    await close();
    const downloads = options.downloadRounds > 0
      ? await downloadThroughput(options.downloadRounds, progress)
      : [];
    return { ...result, downloads };
  } finally {
    await close().catch(() => {});
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

async function stopFleets(fleets: ReturnType<typeof spawnDevices>[]) {
  await Promise.all(fleets.map(async ({ child }) => {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, 5000);
    await child.status;
    clearTimeout(timer);
  }));
}
