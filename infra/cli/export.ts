/**
 * `deno task aiot export`: the export of `GET /api/v1/export` (design §11) straight from the log,
 * without the API: the same `prepareExport` (range read, filters, redaction, formats), written to
 * a file (or stdout with `--out -`) with a progress line on stderr: records/s, %, ETA.
 *
 * A file is written as `<out>.partial` and renamed when complete, so a failed or interrupted
 * export never leaves a file that looks whole.
 */
import { AiotError } from "../../core/errors.ts";
import {
  type ExportProgress,
  exportQuerySchema,
  logExportSource,
  prepareExport,
} from "../../core/export/mod.ts";
import type { TopicNames } from "../../core/events/topics.ts";
import type { EventLog } from "../../core/log/event_log.ts";

export const EXPORT_USAGE =
  `       deno task aiot export --topic telemetry|device|command|ota|alert|dlq --from <time> [--to <time>]
                             [--device <id>] [--types a,b] [--format ndjson|csv|parquet] [--out <file>|-] [--force]
                             (times: ISO-8601 or epoch ms; --to defaults to now, --out to the suggested file name)`;

const FLAGS = ["topic", "from", "to", "device", "types", "format", "out"] as const;

export interface ExportCommandDeps {
  log: EventLog;
  topics: TopicNames;
  /** `AIOT_EXPORT_LATENESS`, ms. */
  latenessMs: number;
  /** `AIOT_EXPORT_MAX_EVENTS`. */
  maxEvents: number;
  fail(message: string): never;
  now?: () => number;
  /** Where the progress line goes. Default: stderr, redrawn in place on a terminal. */
  progress?: (line: string, final: boolean) => void;
  /** Progress lines at most this often. Default 250 ms. */
  progressEveryMs?: number;
}

function parseFlags(args: string[], fail: (message: string) => never) {
  const values: Partial<Record<typeof FLAGS[number], string>> = {};
  let force = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--force") {
      force = true;
      continue;
    }
    const name = arg.startsWith("--") ? arg.slice(2) : "";
    if (!(FLAGS as readonly string[]).includes(name)) fail(`export: unknown argument ${arg}`);
    const value = args[++i];
    if (value === undefined) fail(`export: ${arg} needs a value`);
    values[name as typeof FLAGS[number]] = value;
  }
  return { values, force };
}

const duration = (seconds: number) => {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};

/** `export: 1,234,000 / 5,000,000 records (24.7%), 1,230,118 rows, 412,000 records/s, ETA 0:09`. */
export function progressLine(p: ExportProgress, elapsedMs: number, unit: "lines" | "rows"): string {
  const rate = elapsedMs > 0 ? (p.scanned / elapsedMs) * 1000 : 0;
  const share = p.estimated > 0 ? Math.min(1, p.scanned / p.estimated) : 1;
  const remaining = Math.max(0, p.estimated - p.scanned);
  const eta = remaining === 0 ? 0 : rate > 0 ? remaining / rate : Infinity;
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  return `export: ${n(p.scanned)} / ${n(p.estimated)} records (${(share * 100).toFixed(1)}%), ` +
    `${n(p.exported)} ${unit}, ${n(rate)} records/s, ETA ${duration(eta)}`;
}

function stderrProgress(): (line: string, final: boolean) => void {
  const tty = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  return (line, final) =>
    tty ? Deno.stderr.writeSync(encoder.encode(`\r${line}${final ? "\n" : ""}`)) : console.error(line);
}

async function writeAll(file: { write(p: Uint8Array): Promise<number> }, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) written += await file.write(bytes.subarray(written));
}

/** Runs `export`; a refused range (too large, AIOT errors) sets exit code 1 with its reason. */
export async function runExportCommand(args: string[], deps: ExportCommandDeps): Promise<void> {
  const now = deps.now ?? Date.now;
  const { values, force } = parseFlags(args, deps.fail);
  const parsed = exportQuerySchema(now).safeParse({ ...values, ...(force ? { force: "true" } : {}) });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `--${i.path.join(".") || "?"}: ${i.message}`);
    deps.fail(`export: ${problems.join("; ")}`);
  }
  const query = parsed.data;
  const progress = deps.progress ?? stderrProgress();
  const every = deps.progressEveryMs ?? 250;
  const unit = query.format === "ndjson" ? "lines" : "rows";
  const started = performance.now();
  let shown = 0;
  let last: ExportProgress = { scanned: 0, exported: 0, estimated: 0 };
  let prepared;
  try {
    prepared = await prepareExport(logExportSource(deps.log), query, {
      topics: deps.topics,
      latenessMs: deps.latenessMs,
      maxEvents: deps.maxEvents,
      now,
      onProgress: (p) => {
        last = p;
        const at = performance.now();
        if (at - shown < every) return;
        shown = at;
        progress(progressLine(p, at - started, unit), false);
      },
    });
  } catch (error) {
    if (!(error instanceof AiotError)) throw error;
    console.error(`export: ${error.message.replace(/^Invalid request query: /, "")}`);
    Deno.exitCode = 1;
    return;
  }
  const out = values.out ?? prepared.fileName;
  const toStdout = out === "-";
  const partial = `${out}.partial`;
  const file = toStdout
    ? Deno.stdout
    : await Deno.open(partial, { write: true, create: true, truncate: true });
  try {
    for await (const chunk of prepared.chunks()) await writeAll(file, chunk);
    if (!toStdout) {
      file.close();
      await Deno.rename(partial, out);
    }
  } catch (error) {
    if (!toStdout) {
      file.close();
      await Deno.remove(partial).catch(() => {});
    }
    throw error;
  }
  progress(progressLine({ ...last, estimated: last.scanned }, performance.now() - started, unit), true);
  if (!toStdout) console.error(`export: wrote ${out}`);
}
