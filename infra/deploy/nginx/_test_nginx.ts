/**
 * An nginx of the test's own running the shipped `aiot.conf.template`: Debian's nginx (installed by
 * `engines.sh install`) as a child process on free loopback ports, with pid, logs and temp files in
 * a temp prefix. A missing nginx fails the test with how to install it.
 */
import { freePort } from "../../dev/free_port.ts";
import { type NginxSettings, renderTemplate, standaloneConfig, TEMPLATE_URL } from "./render.ts";

export interface TestNginx {
  /** `https://127.0.0.1:<port>` */
  https: string;
  /** `http://127.0.0.1:<port>` (redirects only) */
  http: string;
  httpsPort: number;
  prefix: string;
  accessLogFile: string;
  /** nginx's error log so far (for failure messages). */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

const CANDIDATES = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"];

export async function nginxBinary(): Promise<string> {
  for (const path of CANDIDATES) {
    if (await Deno.stat(path).then((s) => s.isFile, () => false)) return path;
  }
  throw new Error(
    'nginx is missing: install it with "bash infra/local/engines.sh install" (apt-get install -y nginx)',
  );
}

/**
 * Starts nginx in front of `API` and `MQTT_WS` (`host:port`) with the server certificate pair;
 * its ports and access log are the test's own, whatever `settings` say.
 */
export async function startNginx(
  settings: Pick<NginxSettings, "API" | "MQTT_WS" | "CERT" | "KEY"> & Partial<NginxSettings>,
): Promise<TestNginx> {
  const nginx = await nginxBinary();
  const prefix = await Deno.makeTempDir({ prefix: "aiot-nginx-" });
  // Run as root, nginx's workers run as `nobody`: they must reach the temp folders in here.
  await Deno.chmod(prefix, 0o755);
  await Deno.mkdir(`${prefix}/temp`);
  const httpPort = freePort();
  const httpsPort = freePort();
  const accessLogFile = `${prefix}/access.log`;
  // The test's own places win over any given (e.g. compose's ports 80 and 443).
  const site = renderTemplate(await Deno.readTextFile(TEMPLATE_URL), {
    ...settings,
    HTTP_PORT: `127.0.0.1:${httpPort}`,
    HTTPS_PORT: `127.0.0.1:${httpsPort}`,
    REDIRECT_PORT: `:${httpsPort}`,
    ACCESS_LOG: accessLogFile,
  });
  const conf = `${prefix}/nginx.conf`;
  await Deno.writeTextFile(conf, standaloneConfig(prefix, site));
  const errorLog = () => Deno.readTextFile(`${prefix}/error.log`).catch(() => "(no error log)");
  const checked = await new Deno.Command(nginx, { args: ["-t", "-p", prefix, "-c", conf], stderr: "piped" })
    .output();
  if (!checked.success) {
    throw new Error(`nginx -t refused the rendered config:\n${new TextDecoder().decode(checked.stderr)}`);
  }
  const child = new Deno.Command(nginx, {
    args: ["-p", prefix, "-c", conf, "-g", "daemon off;"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  let exited = false;
  child.status.then(() => (exited = true));
  const stop = async () => {
    if (!exited) {
      try {
        // SIGTERM: fast shutdown (a graceful one would wait for open SSE streams and WebSockets).
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    }
    await child.status;
    await Deno.remove(prefix, { recursive: true }).catch(() => {});
  };
  for (const port of [httpPort, httpsPort]) {
    for (let i = 0;; i++) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        break;
      } catch {
        if (exited || i > 200) {
          const log = await errorLog();
          await stop();
          throw new Error(`nginx did not listen on ${port}:\n${log}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  }
  return {
    https: `https://127.0.0.1:${httpsPort}`,
    http: `http://127.0.0.1:${httpPort}`,
    httpsPort,
    prefix,
    accessLogFile,
    errorLog,
    stop,
  };
}
