/**
 * A Mosquitto of the test's own: `/usr/sbin/mosquitto` as a child process on a free port with a
 * temp config (no anonymous access, the dynamic-security plugin with an admin account made by
 * `mosquitto_ctrl dynsec init`, limits that never drop acknowledged messages). Missing binaries
 * fail the test with how to install them.
 */
import { freePort } from "../dev/free_port.ts";

export const MOSQUITTO = "/usr/sbin/mosquitto";
export const DYNSEC_PLUGIN = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";
export const ADMIN = { username: "admin", password: "admin-secret-1" };

export interface Mosquitto {
  url: string;
  port: number;
  dir: string;
  /** What the broker logged so far. */
  log(): string;
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

export async function startMosquitto(): Promise<Mosquitto> {
  await mustExist(MOSQUITTO, 'install it with "apt-get install -y mosquitto"');
  await mustExist(DYNSEC_PLUGIN, "it comes with Debian's mosquitto package (2.0.x)");
  const dir = await Deno.makeTempDir({ prefix: "aiot-mosquitto-" });
  const dynsec = `${dir}/dynamic-security.json`;
  const init = await run("mosquitto_ctrl", ["dynsec", "init", dynsec, ADMIN.username, ADMIN.password]);
  if (init.code !== 0) throw new Error(`mosquitto_ctrl dynsec init failed: ${init.stderr}`);
  const port = freePort();
  await Deno.writeTextFile(
    `${dir}/mosquitto.conf`,
    [
      // Run as root, Mosquitto switches to the user `mosquitto`, who cannot read a 0700 temp dir.
      ...(Deno.uid() === 0 ? ["user root"] : []),
      "per_listener_settings false",
      "persistence false",
      "allow_anonymous false",
      "max_queued_messages 0",
      "max_inflight_messages 0",
      `plugin ${DYNSEC_PLUGIN}`,
      `plugin_opt_config_file ${dynsec}`,
      `listener ${port} 127.0.0.1`,
      "",
    ].join("\n"),
  );
  const child = new Deno.Command(MOSQUITTO, {
    args: ["-c", `${dir}/mosquitto.conf`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let logText = "";
  const reading = (async () => {
    for (;;) {
      const { value, done } = await stderr.read();
      if (done) return;
      logText += value;
    }
  })();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
    await reading;
    await Deno.remove(dir, { recursive: true });
  };
  for (let i = 0;; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      if (i > 100) {
        await stop();
        throw new Error(`mosquitto did not listen on ${port}: ${logText}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return { url: `mqtt://127.0.0.1:${port}`, port, dir, log: () => logText, stop };
}
