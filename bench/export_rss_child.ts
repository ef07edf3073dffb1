/**
 * Child of `bench export`: opens a SQLite log, notes its resident memory at rest, exports the whole
 * bench range in one format (bytes discarded, as a client that reads as fast as it can) and prints
 * idle and peak RSS (VmHWM) in MiB with the rate, as JSON on stdout.
 */
import type { ExportFormat } from "../core/export/mod.ts";
import { createSqliteEventLog } from "../infra/sqlite/sqlite_event_log.ts";
import { runExport } from "./export.ts";

const [path, format, start] = Deno.args;
const kib = (field: string) =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(Deno.readTextFileSync("/proc/self/status"))?.[1]);
const log = createSqliteEventLog({ path: path!, durability: "process" });
// Warm: modules loaded, log open, one tiny export done; then the heap at rest.
await runExport(log, "aiot.", format as ExportFormat, Number(start) + 10 * 3_600_000);
await new Promise((r) => setTimeout(r, 200));
const idle = kib("VmRSS");
let peak = idle;
const sampler = setInterval(() => (peak = Math.max(peak, kib("VmRSS"))), 20);
const sample = await runExport(log, "aiot.", format as ExportFormat, Number(start));
clearInterval(sampler);
peak = Math.max(peak, kib("VmHWM"));
await log.close();
console.log(JSON.stringify({
  idleMiB: Math.round(idle / 1024),
  peakMiB: Math.round(peak / 1024),
  eventsPerSecond: Math.round((sample.units / sample.ms) * 1000),
  rows: sample.rows,
  bytes: sample.bytes,
}));
