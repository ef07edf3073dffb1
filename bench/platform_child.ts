/**
 * Child processes for the MQTT benches: the all-in-one platform (embedded engines, temp data dir,
 * free ports) and a plain aedes broker (raw_aedes.ts), plus the API calls to register devices and
 * read `/metrics`.
 */

import { freePort } from "../infra/dev/free_port.ts";
import { recordPlatformPeak } from "./rss_budget.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PlatformChild {
  pid: number;
  base: string;
  mqttPort: number;
  dataDir: string;
  /** Bearer headers of the admin user. */
  headers: Record<string, string>;
  /** Registers a device and returns its token. */
  register(id: string): Promise<string>;
  /** The value of `aiot_log_appended_events_total{topic=…}` (0 when not yet counted). */
  appended(topic: string): Promise<number>;
  stop(): Promise<void>;
}

const PASSWORD = "bench-password";
/** How long `stop()` lets the platform finish in-flight work before SIGKILL. */
const STOP_GRACE_MS = 10_000;

/**
 * Starts the all-in-one as `deno task start` does; `v8Flags` (default: AIOT_BENCH_V8_FLAGS, else
 * none) runs it with V8 flags, e.g. the lean profile's.
 */
export async function startPlatform(
  env: Record<string, string> = {},
  options: { v8Flags?: string } = {},
): Promise<PlatformChild> {
  const http = freePort();
  const mqttPort = freePort();
  const dataDir = await Deno.makeTempDir({ prefix: "aiot-bench-ingest-" });
  const v8Flags = options.v8Flags ?? Deno.env.get("AIOT_BENCH_V8_FLAGS");
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      ...(v8Flags ? [`--v8-flags=${v8Flags}`] : []),
      // For profiling a scenario's platform over the inspector (infra/dev/cpu_profile.ts).
      ...(Deno.env.get("AIOT_BENCH_INSPECT") ? [`--inspect=${Deno.env.get("AIOT_BENCH_INSPECT")}`] : []),
      new URL("../infra/all_in_one/main.ts", import.meta.url).pathname,
    ],
    env: {
      // Every bench connection comes from 127.0.0.1: the per-address cap is meant for the wide world.
      AIOT_MQTT_MAX_CONNECTIONS: "1000000",
      AIOT_MQTT_MAX_CONNECTIONS_PER_ADDRESS: "1000000",
      ...env,
      AIOT_DATA_DIR: dataDir,
      AIOT_HTTP_PORT: String(http),
      AIOT_HTTP_HOST: "127.0.0.1",
      AIOT_MQTT_PORT: String(mqttPort),
      AIOT_MQTT_HOST: "127.0.0.1",
      AIOT_ADMIN_PASSWORD: PASSWORD,
    },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const base = `http://127.0.0.1:${http}`;
  const label = (env.AIOT_ROLES ? `platform (AIOT_ROLES=${env.AIOT_ROLES})` : "all-in-one") +
    (v8Flags ? ` (--v8-flags=${v8Flags})` : "");
  const stop = async () => {
    recordPlatformPeak(label, child.pid);
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    // A projector far behind (FerretDB) may take minutes to finish its batch: not a bench's wait.
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, STOP_GRACE_MS);
    await child.status;
    clearTimeout(timer);
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  };
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (await fetch(`${base}/healthz`).then((r) => (r.body?.cancel(), r.ok), () => false)) break;
      if (Date.now() > deadline) throw new Error(`platform at ${base} did not come up`);
      await sleep(100);
    }
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    }).then((r) => r.json());
    const headers = { authorization: `Bearer ${login.token}`, "content-type": "application/json" };
    return {
      pid: child.pid,
      base,
      mqttPort,
      dataDir,
      headers,
      register: async (id) => {
        const response = await fetch(`${base}/api/v1/devices`, {
          method: "POST",
          headers,
          body: JSON.stringify({ id }),
        });
        const body = await response.json();
        if (!response.ok) throw new Error(`register ${id}: ${response.status} ${JSON.stringify(body)}`);
        return body.token as string;
      },
      appended: async (topic) => {
        const text = await fetch(`${base}/metrics`, { headers }).then((r) => r.text());
        const line = text.split("\n").find((l) =>
          l.startsWith(`aiot_log_appended_events_total{topic="${topic}"}`)
        );
        return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface RawBrokerChild {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

/** A plain aedes broker in its own process (bench/raw_aedes.ts). */
/** Waits until `child` prints "ready" on its stdout (a baseline server listening). */
export async function untilReady(child: Deno.ChildProcess, what: string): Promise<void> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${what} exited before it was ready`);
    out += value;
  }
  reader.releaseLock();
}

export async function startRawAedes(): Promise<RawBrokerChild> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", new URL("./raw_aedes.ts", import.meta.url).pathname, String(port)],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  await untilReady(child, "raw aedes");
  child.stdout.cancel().catch(() => {});
  return {
    pid: child.pid,
    port,
    stop: async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
    },
  };
}

/** VmRSS and VmHWM (peak) of a process, in MiB. */
export async function memoryOf(pid: number): Promise<{ rssMiB: number; peakMiB: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? NaN);
  return { rssMiB: kb("VmRSS") / 1024, peakMiB: kb("VmHWM") / 1024 };
}
