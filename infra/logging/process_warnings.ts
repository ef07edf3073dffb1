/**
 * Node's process warnings (npm packages under Deno's Node compatibility: kafkajs sets negative
 * timeouts, drivers deprecate options) as log lines instead of bare `(node:123) Warning: …` text on
 * stderr, which would break a JSON log. Deno 2.9 prints a warning whatever listeners there are
 * (only `--no-warnings` stops it), so the `warning` event is taken where it is emitted. Each kind
 * is logged once per thread: they repeat, and say nothing new the second time.
 */
import process from "node:process";
import type { Logger } from "../../core/logging/mod.ts";

export function logProcessWarnings(logger: Logger): void {
  const seen = new Set<string>();
  const emit = process.emit;
  process.emit = function (this: typeof process, event: string | symbol, ...args: unknown[]) {
    if (event !== "warning") return (emit as (...a: unknown[]) => boolean).call(this, event, ...args);
    const warning = args[0] instanceof Error ? args[0] : new Error(String(args[0]));
    if (!seen.has(warning.name)) {
      seen.add(warning.name);
      logger.warn(warning.message, { warning: warning.name, note: "logged once per process" });
    }
    return true;
  } as typeof process.emit;
}
