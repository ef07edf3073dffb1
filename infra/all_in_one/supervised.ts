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
import { createLogger } from "../logging/mod.ts";

export function runSupervised(
  processor: ProcessorDefinition,
  options: RunProcessorOptions,
): RunningProcessor {
  const logger = (options.logger ?? createLogger()).child("processor", { processor: processor.name });
  return superviseProcessor(() => runProcessor(processor, { ...options, logger }), {
    onRestart: ({ attempt, delayMs, error }) =>
      logger.error("its consumer died; restarting", { attempt, delayMs, error }),
  });
}
