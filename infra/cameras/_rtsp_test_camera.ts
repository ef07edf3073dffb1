/**
 * Starts `rtsp_test_camera.py` (a real GStreamer RTSP server) on a free loopback port, for the
 * camera tests and the bench; `stop()` kills it and waits for it. Debian's python3 is used (it has
 * python3-gi), not whatever `python3` comes first on PATH.
 */

export interface TestCamera {
  port: number;
  pid: number;
  /** `rtsp://127.0.0.1:<port>/<mount>`, with `user:password@` when given. */
  url(mount?: string, credentials?: string): string;
  stop(): Promise<void>;
}

export const TEST_CAMERA_SCRIPT = new URL("./rtsp_test_camera.py", import.meta.url).pathname;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

export async function startTestCamera(
  options: {
    codec?: "h264" | "h265";
    size?: string;
    fps?: number;
    mounts?: string[];
    auth?: string;
    port?: number;
  } = {},
): Promise<TestCamera> {
  const port = options.port ?? freePort();
  const python = (await Deno.stat("/usr/bin/python3").then(() => true, () => false))
    ? "/usr/bin/python3"
    : "python3";
  const child = new Deno.Command(python, {
    args: [
      TEST_CAMERA_SCRIPT,
      String(port),
      "--codec",
      options.codec ?? "h264",
      "--size",
      options.size ?? "640x360",
      "--fps",
      String(options.fps ?? 25),
      "--mounts",
      (options.mounts ?? ["cam"]).join(","),
      ...(options.auth ? ["--auth", options.auth] : []),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) {
      throw new Error(`The RTSP test camera did not start: ${await stderr}`);
    }
    out += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return {
    port,
    pid: child.pid,
    url: (mount = options.mounts?.[0] ?? "cam", credentials?: string) =>
      `rtsp://${credentials ? `${credentials}@` : ""}127.0.0.1:${port}/${mount}`,
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await child.status;
      await stderr.catch(() => {});
    },
  };
}
