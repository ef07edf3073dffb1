/**
 * @module
 * The processor model (a definition: topics, handled types, a `handle` function) and the one
 * generic runner that owns offsets, retries, dead-lettering, outputs, health and metrics hooks.
 */
export type { ProcessorHealth } from "./health.ts";
export type { HandleContext, ProcessorDefinition, ProcessorOutput, RecordFilter } from "./processor.ts";
export { type RunnerHooks, type RunningProcessor, runProcessor, type RunProcessorOptions } from "./runner.ts";
export { type SuperviseOptions, superviseProcessor } from "./supervisor.ts";
