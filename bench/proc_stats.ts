/**
 * CPU time and memory of processes from Linux `/proc`, for benches that report what each process
 * of a run cost: CPU seconds (utime + stime) between two samples and the peak resident memory.
 * A process group (PostgreSQL: the postmaster and its backends) is summed; backends that exit
 * between two samples are still counted through the postmaster's cutime/cstime. Group memory is
 * the sum of proportional set sizes (PSS), so shared buffers are not counted once per backend.
 */

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ, 100 on Linux x86-64). */
const TICKS = 100;

export interface Tracked {
  label: string;
  pid: number;
  /** Sum the process and its direct children (a postmaster and its backends). */
  group?: boolean;
  /** Started by this run: its VmHWM (peak since start) belongs to the run. */
  own?: boolean;
  /**
   * Also report each thread's CPU (rows `<label> › <thread>`): the all-in-one's main thread runs
   * the broker and ingest, its workers the projectors and the log writer, and a saturated main
   * thread next to an idle core is what the process total hides.
   */
  threads?: boolean;
}

interface Stat {
  ppid: number;
  /** utime + stime, and the same of waited-for children, in seconds. */
  self: number;
  children: number;
}

interface StatLine extends Stat {
  /** The command (a thread's name for a task). */
  comm: string;
  nice: number;
}

/** `/proc/<path>/stat` (a process, or a thread as `<pid>/task/<tid>`), or undefined when gone. */
function readStat(path: number | string): StatLine | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${path}/stat`);
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields resume after the last ")".
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const n = (i: number) => Number(f[i]);
  return {
    comm: text.slice(text.indexOf("(") + 1, text.lastIndexOf(")")),
    ppid: n(1),
    self: (n(11) + n(12)) / TICKS,
    children: (n(13) + n(14)) / TICKS,
    nice: n(16),
  };
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    if (readStat(Number(entry.name))?.ppid === pid) out.push(Number(entry.name));
  }
  return out;
}

/** CPU seconds used so far by the process (or group); NaN when it is gone. */
export function cpuSeconds(t: Tracked): number {
  const root = readStat(t.pid);
  if (!root) return NaN;
  if (!t.group) return root.self;
  return childrenOf(t.pid).reduce((sum, pid) => sum + (readStat(pid)?.self ?? 0), root.self + root.children);
}

/**
 * CPU seconds of each live thread of `pid`, by thread id, with its name: "main", else its `comm`
 * and its nice value when not 0 (the all-in-one's projection thread lowers its own priority).
 */
function threadSeconds(pid: number): Map<number, { name: string; seconds: number }> {
  const out = new Map<number, { name: string; seconds: number }>();
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(`/proc/${pid}/task`)];
  } catch {
    return out;
  }
  for (const { name: tid } of entries) {
    const stat = readStat(`${pid}/task/${tid}`);
    if (!stat) continue; // the thread ended
    const name = Number(tid) === pid
      ? "main"
      : stat.nice === 0
      ? stat.comm
      : `${stat.comm} (nice ${stat.nice})`;
    out.set(Number(tid), { name, seconds: stat.self });
  }
  return out;
}

/** A `/proc/<pid>/status` field in KiB (`VmRSS`, `VmHWM`, …); NaN when the process is gone. */
export function statusKiB(pid: number | "self", field: string): number {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(text.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

function pssKiB(pid: number): number {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`);
    return Number(text.match(/^Pss:\s+(\d+)/m)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Resident memory now, in MiB (a group: summed PSS). */
export function rssMiB(t: Tracked): number {
  if (!t.group) return statusKiB(t.pid, "VmRSS") / 1024;
  return [t.pid, ...childrenOf(t.pid)].reduce((sum, pid) => sum + pssKiB(pid), 0) / 1024;
}

export interface Usage {
  label: string;
  cpuSeconds: number;
  /** CPU seconds per wall second, in % of one core. */
  cpuPercent: number;
  peakMiB: number;
}

/**
 * Samples the processes' memory every `everyMs` from now on; `stop()` gives each one's CPU time
 * since the start and its peak memory (VmHWM for processes started by the run, else the largest
 * sample).
 */
export function watchProcesses(processes: Tracked[], everyMs = 500): { stop(): Usage[] } {
  const started = performance.now();
  const cpu0 = processes.map(cpuSeconds);
  const threads0 = processes.map((p) => p.threads ? threadSeconds(p.pid) : undefined);
  const peaks = processes.map(rssMiB);
  const timer = setInterval(
    () => processes.forEach((p, i) => peaks[i] = Math.max(peaks[i]!, rssMiB(p))),
    everyMs,
  );
  return {
    stop() {
      clearInterval(timer);
      const seconds = (performance.now() - started) / 1000;
      return processes.flatMap((p, i) => {
        const used = cpuSeconds(p) - cpu0[i]!;
        const hwm = p.own && !p.group ? statusKiB(p.pid, "VmHWM") / 1024 : NaN;
        const total: Usage = {
          label: p.label,
          cpuSeconds: used,
          cpuPercent: (used / seconds) * 100,
          peakMiB: Math.max(peaks[i]!, Number.isNaN(hwm) ? 0 : hwm, rssMiB(p)),
        };
        const before = threads0[i];
        if (!before) return [total];
        // Threads of one name (V8's helpers) are summed; the busiest first; idle ones left out.
        const byName = new Map<string, number>();
        for (const [tid, { name, seconds: now }] of threadSeconds(p.pid)) {
          byName.set(name, (byName.get(name) ?? 0) + now - (before.get(tid)?.seconds ?? 0));
        }
        const rows = [...byName].filter(([, cpu]) => cpu / seconds >= 0.01).sort((a, b) => b[1] - a[1])
          .map(([name, cpu]): Usage => ({
            label: `${p.label} › thread ${name}`,
            cpuSeconds: cpu,
            cpuPercent: (cpu / seconds) * 100,
            peakMiB: NaN,
          }));
        return [total, ...rows];
      });
    },
  };
}

/** The pid of a running process whose command line contains `needle`, if any. */
export function findPid(needle: string): number | undefined {
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).replaceAll("\0", " ");
      if (cmdline.includes(needle)) return Number(entry.name);
    } catch { /* gone */ }
  }
  return undefined;
}

/**
 * The engines of `infra/local/engines.sh` (pid files under its run dir): Kafka's JVM, the
 * PostgreSQL postmaster (as a group) and FerretDB. Engines not running are left out.
 */
export function localEngines(): Tracked[] {
  const run = `${Deno.env.get("AIOT_CACHE_DIR") ?? `${Deno.env.get("HOME")}/.cache/aiot`}/run`;
  const pidIn = (file: string) => {
    try {
      const pid = Number(Deno.readTextFileSync(file).split("\n")[0]);
      return pid > 0 && readStat(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const engines: Tracked[] = [];
  const kafka = pidIn(`${run}/kafka/kafka.pid`);
  if (kafka) engines.push({ label: "Kafka (JVM)", pid: kafka });
  const postgres = pidIn(`${run}/postgres/data/postmaster.pid`);
  if (postgres) engines.push({ label: "PostgreSQL (all processes)", pid: postgres, group: true });
  const ferret = pidIn(`${run}/ferretdb/ferretdb.pid`);
  if (ferret) engines.push({ label: "FerretDB", pid: ferret });
  return engines;
}
