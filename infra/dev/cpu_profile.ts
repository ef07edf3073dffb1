/**
 * Takes a CPU profile of a running Deno process over its inspector and prints where the time
 * went: the functions with the most self time, and the share of the thread's samples that were
 * idle, garbage collection or program code.
 *
 *   AIOT_BENCH_INSPECT=127.0.0.1:9333 deno task bench e2e --quick &   # the platform listens
 *   deno run -A infra/dev/cpu_profile.ts 127.0.0.1:9333 --seconds 5 [--out profile.cpuprofile]
 *
 * The profile file opens in Chrome DevTools (Performance → Load profile). Only the main thread is
 * profiled: the inspector of a Deno process shows its workers as targets of their own, which
 * `--target N` picks (0 is the main thread).
 */
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

async function send<T>(socket: WebSocket, id: number, method: string, params = {}): Promise<T> {
  const reply = new Promise<T>((resolve, reject) => {
    const onMessage = (event: MessageEvent) => {
      const message = JSON.parse(event.data as string);
      if (message.id !== id) return;
      socket.removeEventListener("message", onMessage);
      if (message.error) reject(new Error(`${method}: ${message.error.message}`));
      else resolve(message.result as T);
    };
    socket.addEventListener("message", onMessage);
  });
  socket.send(JSON.stringify({ id, method, params }));
  return await reply;
}

/**
 * Where a frame's code lives: an npm package's name, our top-level folder and file, Deno's own
 * JavaScript (`ext:`), or native code and V8's pseudo-frames (idle, GC). Self time summed by
 * this is steadier than by function: which function V8 charges inlined code to changes from run
 * to run, the file it came from much less.
 */
export function codeArea(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "native (sqlite, sockets, ops)";
  const npm = url.match(/registry\.npmjs\.org\/(@[^/]+\/[^/]+|[^/]+)\//);
  if (npm) return `npm:${npm[1]}`;
  if (url.startsWith("ext:")) return "deno runtime (ext:)";
  const ours = url.match(/\/(core|infra|processors|api|ui|bench)\/(.+)$/);
  return ours ? `${ours[1]}/${ours[2]}` : url;
}

/** Self time per function and per code area (ms), and the total sampled time. */
export function selfTimes(
  profile: CpuProfile,
): { byFunction: Map<string, number>; byArea: Map<string, number>; totalMs: number } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    const frame = nodes.get(id)!.callFrame;
    const file = frame.url.split("/").slice(-2).join("/");
    const name = `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    const area = codeArea(frame.url, frame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + ms);
  });
  return { byFunction, byArea, totalMs };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      seconds: { type: "string", default: "5" },
      out: { type: "string" },
      target: { type: "string", default: "0" },
      top: { type: "string", default: "30" },
    },
  });
  const address = positionals[0] ?? "127.0.0.1:9229";
  const targets = await (await fetch(`http://${address}/json/list`)).json() as {
    webSocketDebuggerUrl: string;
  }[];
  const target = targets[Number(values.target)];
  if (!target) {
    throw new RangeError(`No inspector target ${values.target} at ${address} (${targets.length} targets)`);
  }
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  await send(socket, 1, "Profiler.enable");
  await send(socket, 2, "Profiler.setSamplingInterval", { interval: 200 });
  await send(socket, 3, "Profiler.start");
  await new Promise((resolve) => setTimeout(resolve, Number(values.seconds) * 1000));
  const { profile } = await send<{ profile: CpuProfile }>(socket, 4, "Profiler.stop");
  socket.close();
  if (values.out) await Deno.writeTextFile(values.out, JSON.stringify(profile));
  const { byFunction, byArea, totalMs } = selfTimes(profile);
  const sorted = [...byFunction].sort((a, b) => b[1] - a[1]);
  const share = (pattern: RegExp) =>
    sorted.filter(([name]) => pattern.test(name)).reduce((sum, [, ms]) => sum + ms, 0) / totalMs * 100;
  console.log(
    `${Math.round(totalMs)} ms sampled: idle ${share(/^\(idle\)/).toFixed(1)}%, GC ${
      share(/^\(garbage collector\)/).toFixed(1)
    }%, program ${share(/^\(program\)/).toFixed(1)}%`,
  );
  console.log("by code area:");
  for (const [area, ms] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
    console.log(`${(ms / totalMs * 100).toFixed(1).padStart(5)}%  ${area}`);
  }
  console.log("by function (V8 charges inlined code to varying functions):");
  for (const [name, ms] of sorted.slice(0, Number(values.top))) {
    console.log(`${(ms / totalMs * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
}
