/**
 * One AIOT role (`AIOT_ROLES=…`) as a child process of the fault suite, which can be killed with
 * SIGKILL and started again with the same data dir, ports and environment. Like compose's
 * `restart: unless-stopped`, a process that exits on its own (during start-up or later) is started
 * again after 1 s; each such exit is recorded, because a fault that crashes a process is a
 * finding even when the restart hides it from the counts. Its stderr is kept to explain a failure.
 */
import { freePort } from "../dev/free_port.ts";

export interface RoleProcess {
  name: string;
  /** `http://127.0.0.1:<port>` of its `/healthz`, `/metrics` (and the API with the `api` role). */
  base: string;
  dataDir: string;
  /** Everything it wrote to stderr, over all its starts: `${dataDir}.stderr.log`. */
  logFile: string;
  readonly pid: number;
  /** Exits the suite did not cause (epoch ms, exit code), each followed by a restart. */
  readonly unexpectedExits: readonly { at: number; code: number }[];
  /** Starts the process (again) and resolves once `/healthz` answers. */
  start(): Promise<void>;
  /** SIGKILL, no goodbye; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** The tail of what the process wrote to stderr. */
  output(): string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RoleProcessOptions {
  readyTimeoutMs?: number;
  /**
   * The arguments of `deno`, given the process's data dir and HTTP port (e.g. a compose service's
   * command with narrower permissions). Default: `run --allow-all infra/all_in_one/main.ts`.
   */
  denoArgs?: (place: { dataDir: string; port: number }) => string[];
  /** The working directory (relative paths in `denoArgs`). Default: the caller's. */
  cwd?: string;
}

export async function roleProcess(
  name: string,
  env: Record<string, string>,
  options: RoleProcessOptions = {},
): Promise<RoleProcess> {
  const port = freePort();
  const dataDir = await Deno.makeTempDir({ prefix: `aiot-faults-${name}-` });
  const logFile = `${dataDir}.stderr.log`;
  const base = `http://127.0.0.1:${port}`;
  let child: Deno.ChildProcess | undefined;
  let text = "";
  /** Set while the suite itself ends the process: its exit is expected. */
  let ending = false;
  const unexpectedExits: { at: number; code: number }[] = [];

  const spawn = async () => {
    const spawned = new Deno.Command(Deno.execPath(), {
      args: options.denoArgs?.({ dataDir, port }) ??
        ["run", "--allow-all", new URL("../all_in_one/main.ts", import.meta.url).pathname],
      ...(options.cwd ? { cwd: options.cwd } : {}),
      env: {
        ...env,
        AIOT_DATA_DIR: dataDir,
        AIOT_HTTP_PORT: String(port),
        AIOT_HTTP_HOST: "127.0.0.1",
        AIOT_MQTT_PORT: env.AIOT_MQTT_PORT ?? "0", // fixed by the caller when devices reconnect after a restart
        AIOT_MQTT_HOST: "127.0.0.1",
      },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    child = spawned;
    // Also kept whole beside the data dir, for a post-mortem of a long run.
    const file = await Deno.open(logFile, { append: true, create: true });
    spawned.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({
        write: async (chunk) => {
          text = (text + chunk).slice(-6000);
          await file.write(new TextEncoder().encode(chunk));
        },
        close: () => file.close(),
        abort: () => file.close(),
      }),
    ).catch(() => {});
    const exit = spawned.status.then(({ code }) => {
      const expected = ending || child !== spawned;
      if (!expected) {
        unexpectedExits.push({ at: Date.now(), code });
        const note = `\n[faults] ${name} exited on its own (code ${code}); starting it again in 1 s\n`;
        text += note;
        Deno.writeTextFile(logFile, note, { append: true }).catch(() => {});
      }
      return expected;
    });
    return { spawned, exit };
  };

  /** Spawns until one answers `/healthz`; after that, restarts it whenever it exits on its own. */
  const run = async (): Promise<void> => {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
    for (;;) {
      const { spawned, exit } = await spawn();
      let exited = false;
      exit.then(() => (exited = true));
      while (!exited) {
        const ok = await fetch(`${base}/healthz`).then((r) => (r.body?.cancel(), r.ok), () => false);
        if (ok) {
          exit.then(async (expected) => {
            if (expected) return;
            await sleep(1_000);
            if (!ending && child === spawned) await run().catch(() => {});
          });
          return;
        }
        if (Date.now() > deadline) throw new Error(`${name} did not answer /healthz; it said:\n${text}`);
        await sleep(100);
      }
      if (ending) throw new Error(`${name} was stopped during start-up`);
      if (Date.now() > deadline) throw new Error(`${name} kept exiting during start-up; it said:\n${text}`);
      await sleep(1_000);
    }
  };

  const kill = async (signal: Deno.Signal) => {
    if (!child) return;
    ending = true;
    try {
      child.kill(signal);
    } catch { /* already gone */ }
    await child.status;
  };
  return {
    name,
    base,
    dataDir,
    logFile,
    get pid() {
      return child?.pid ?? 0;
    },
    unexpectedExits,
    start() {
      ending = false;
      return run();
    },
    kill9: () => kill("SIGKILL"),
    async stop(graceMs = 15_000) {
      if (!child) return;
      ending = true;
      const timer = setTimeout(() => {
        try {
          child?.kill("SIGKILL");
        } catch { /* already gone */ }
      }, graceMs);
      await kill("SIGTERM");
      clearTimeout(timer);
    },
    output: () => text,
  };
}
