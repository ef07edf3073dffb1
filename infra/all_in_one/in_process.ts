/**
 * The whole platform in the calling process, served on a free loopback port exactly as `main.ts`
 * serves it (API, dashboard, health), with an admin session. For end-to-end tests and benchmarks.
 */
import { createApp } from "../../api/app.ts";
import { loadConfig } from "../config/config.ts";
import { apiDeps, ensureAdminUser } from "./api_wiring.ts";
import { type Platform, startPlatform } from "./platform.ts";
import { loadUi } from "./ui_static.ts";

export interface InProcessPlatform {
  platform: Platform;
  dataDir: string;
  /** `http://127.0.0.1:<port>` */
  base: string;
  mqttUrl: string;
  /** Bearer and JSON content-type headers of the admin user. */
  headers: Record<string, string>;
  adminPassword: string;
  close(): Promise<void>;
}

export interface InProcessOptions {
  /** Also serve the dashboard (built into the data dir, so the current UI source is what runs). */
  ui?: boolean;
  /**
   * Extra AIOT_* variables. With `AIOT_DATA_DIR` and `AIOT_ADMIN_PASSWORD` of an earlier platform,
   * a restart of it.
   */
  env?: Record<string, string>;
}

export async function startInProcess(options: InProcessOptions = {}): Promise<InProcessPlatform> {
  const dataDir = options.env?.AIOT_DATA_DIR ?? await Deno.makeTempDir({ prefix: "aiot-in-process-" });
  const adminPassword = options.env?.AIOT_ADMIN_PASSWORD ?? `admin-${crypto.randomUUID()}`;
  const config = loadConfig({
    AIOT_HTTP_PORT: "0",
    AIOT_MQTT_PORT: "0",
    AIOT_MQTT_HOST: "127.0.0.1",
    ...options.env,
    AIOT_DATA_DIR: dataDir,
    AIOT_ADMIN_PASSWORD: adminPassword,
  });
  const platform = await startPlatform(config);
  // As `servePlatform`: only a process with the API role bootstraps `admin`.
  if (config.roles.includes("api")) await ensureAdminUser(config, platform.users, platform.logger);
  const app = createApp(apiDeps(config, platform));
  const ui = options.ui ? await loadUi(`${dataDir}/ui`) : () => undefined;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request, info) => ui(request) ?? app.fetch(request, info),
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: adminPassword }),
  });
  if (!login.ok) throw new Error(`admin login failed: ${login.status}`);
  const { token } = await login.json();
  return {
    platform,
    dataDir,
    base,
    mqttUrl: `mqtt://127.0.0.1:${platform.broker?.mqttPort}`,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    adminPassword,
    async close() {
      await server.shutdown();
      await platform.stop();
    },
  };
}
