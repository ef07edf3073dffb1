/**
 * A processor on the generic runner under a supervisor: when its consumer dies, the runner reports
 * it failed (so `/readyz` turns red) and the supervisor starts it again with backoff, logging why.
 */
import type { ProcessorDefinition } from "../../core/processing/processor.ts";
import {
  type RunningProcessor,
  runProcessor,
  type RunProcessorOptions,
} from "../../core/processing/runner.ts";
import { superviseProcessor } from "../../core/processing/supervisor.ts";

export function runSupervised(
  processor: ProcessorDefinition,
  options: RunProcessorOptions,
): RunningProcessor {
  return superviseProcessor(() => runProcessor(processor, options), {
    onRestart: ({ attempt, delayMs, error }) =>
      console.error(
        `${processor.name}: its consumer died (${error instanceof Error ? error.message : error}); ` +
          `restart ${attempt} in ${delayMs} ms`,
      ),
  });
}
