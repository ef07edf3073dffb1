/**
 * A Mosquitto of the test's own: `/usr/sbin/mosquitto` as a child process on free loopback ports,
 * running the shipped `infra/deploy/mosquitto/mosquitto.conf` with the test's paths and ports
 * swapped in (no anonymous access, the dynamic-security plugin with an admin account made by
 * `mosquitto_ctrl dynsec init`, limits that never drop acknowledged messages). With `tls`, its
 * certificate listener too, with a CA and server certificate made by `infra/certs`. Missing
 * binaries fail the test with how to install them.
 */
import { createCertificateAuthority, issueServerCertificate } from "../certs/mod.ts";
import { freePort } from "../dev/free_port.ts";

export const MOSQUITTO = "/usr/sbin/mosquitto";
export const DYNSEC_PLUGIN = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";
export const SHIPPED_CONFIG = new URL("../deploy/mosquitto/mosquitto.conf", import.meta.url);
export const ADMIN = { username: "admin", password: "admin-secret-1" };

export interface Mosquitto {
  url: string;
  port: number;
  dir: string;
  /** With `tls`: the port of the certificate listener and the CA folder (`ca.key`, `ca.crt`). */
  tls?: { port: number; certsDir: string };
  /** With `websockets`: the plain MQTT-over-WebSocket listener (shipped as 9001). */
  websocketPort?: number;
  /** With `tls`: the MQTT-over-WebSocket listener with TLS (shipped as 8884). */
  secureWebsocketPort?: number;
  /** What the broker logged so far. */
  log(): string;
  /** Kills the broker with SIGKILL (no shutdown save), keeping its data folder. */
  crash(): Promise<void>;
  /** Starts the broker again on the same ports and data folder (after `crash`). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function mustExist(path: string, hint: string) {
  try {
    await Deno.stat(path);
  } catch {
    throw new Error(`${path} is missing: ${hint}`);
  }
}

export async function run(
  command: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder();
    return { code: output.code, stdout: text.decode(output.stdout), stderr: text.decode(output.stderr) };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `${command} is missing: install it with "apt-get install -y mosquitto mosquitto-clients"`,
      );
    }
    throw error;
  }
}

/** The test's ports of the shipped listeners; a listener without one is left out. */
export interface TestListeners {
  /** 1883 */
  port: number;
  /** 8883, with the CA and server certificate in `certsDir`. */
  tls?: { port: number; certsDir: string };
  /** 9001 (WebSocket) */
  websocketPort?: number;
  /** 8884 (WebSocket over TLS; needs `tls` for the certificates) */
  secureWebsocketPort?: number;
}

/**
 * The shipped config with the test's places: data and dynsec file in `dir`, Debian's plugin path,
 * listeners on loopback ports, certificates from `tls.certsDir`. A listener the test gives no
 * port is left out with its section (the TLS ones without `tls`). Lines it does not know stay
 * as they are.
 */
export function testConfig(shipped: string, places: { dir: string } & TestListeners): string {
  // Run as root, Mosquitto switches to the user `mosquitto`, who cannot read a 0700 temp dir.
  const lines = Deno.uid() === 0 ? ["user root"] : [];
  const portOf: Record<string, number | undefined> = {
    "1883": places.port,
    "8883": places.tls?.port,
    "9001": places.websocketPort,
    "8884": places.tls ? places.secureWebsocketPort : undefined,
  };
  let listenerPort: number | undefined = places.port;
  for (const line of shipped.split("\n").map((l) => l.trim())) {
    if (!line || line.startsWith("#")) continue;
    const [key = "", value = ""] = line.split(/\s+/, 2);
    if (key === "listener") listenerPort = portOf[value];
    if (listenerPort === undefined) continue;
    if (key === "listener") lines.push(`listener ${listenerPort} 127.0.0.1`);
    else if (key === "plugin") lines.push(`plugin ${DYNSEC_PLUGIN}`);
    else if (key === "plugin_opt_config_file") lines.push(`${key} ${places.dir}/dynamic-security.json`);
    else if (key === "persistence_location") lines.push(`${key} ${places.dir}/`);
    else if (["cafile", "certfile", "keyfile"].includes(key)) {
      lines.push(`${key} ${places.tls!.certsDir}/${value.split("/").at(-1)}`);
    } else lines.push(line);
  }
  return [...lines, ""].join("\n");
}

/** `tls`: the certificate listener and WSS; `websockets`: the plain WebSocket listener too. */
export async function startMosquitto(
  options: { tls?: boolean; websockets?: boolean } = {},
): Promise<Mosquitto> {
  await mustExist(MOSQUITTO, 'install it with "apt-get install -y mosquitto"');
  await mustExist(DYNSEC_PLUGIN, "it comes with Debian's mosquitto package (2.0.x)");
  const dir = await Deno.makeTempDir({ prefix: "aiot-mosquitto-" });
  const init = await run("mosquitto_ctrl", [
    ...["dynsec", "init", `${dir}/dynamic-security.json`, ADMIN.username, ADMIN.password],
  ]);
  if (init.code !== 0) throw new Error(`mosquitto_ctrl dynsec init failed: ${init.stderr}`);
  const port = freePort();
  let tls: { port: number; certsDir: string } | undefined;
  if (options.tls) {
    tls = { port: freePort(), certsDir: `${dir}/certs` };
    await createCertificateAuthority(tls.certsDir);
    await issueServerCertificate(tls.certsDir, { hosts: ["localhost"], ips: ["127.0.0.1"] });
  }
  const websocketPort = options.websockets ? freePort() : undefined;
  const secureWebsocketPort = freePort();
  const config = testConfig(await Deno.readTextFile(SHIPPED_CONFIG), {
    dir,
    port,
    ...(tls ? { tls, secureWebsocketPort } : {}),
    ...(websocketPort ? { websocketPort } : {}),
  });
  await Deno.writeTextFile(`${dir}/mosquitto.conf`, config);
  let logText = "";
  let child: Deno.ChildProcess | undefined;
  let reading: Promise<void> = Promise.resolve();
  const kill = async (signal: Deno.Signal) => {
    if (!child) return;
    try {
      child.kill(signal);
    } catch { /* already gone */ }
    await child.status;
    await reading;
    child = undefined;
  };
  const stop = async () => {
    await kill("SIGTERM");
    await Deno.remove(dir, { recursive: true });
  };
  const spawn = async () => {
    child = new Deno.Command(MOSQUITTO, {
      args: ["-c", `${dir}/mosquitto.conf`],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    reading = (async () => {
      for (;;) {
        const { value, done } = await stderr.read();
        if (done) return;
        logText += value;
      }
    })();
    for (const listening of [port, tls?.port, websocketPort, tls ? secureWebsocketPort : undefined]) {
      if (listening === undefined) continue;
      for (let i = 0;; i++) {
        try {
          (await Deno.connect({ hostname: "127.0.0.1", port: listening })).close();
          break;
        } catch {
          if (i > 100) {
            await stop();
            throw new Error(`mosquitto did not listen on ${listening}: ${logText}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }
  };
  await spawn();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dir,
    ...(tls ? { tls, secureWebsocketPort } : {}),
    ...(websocketPort ? { websocketPort } : {}),
    log: () => logText,
    crash: () => kill("SIGKILL"),
    restart: spawn,
    stop,
  };
}
