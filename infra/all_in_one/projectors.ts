/**
 * The projectors of a process's roles (`timeseries`, `readmodels`) on the generic runner, each
 * restarted with backoff if its consumer dies: one place for what runs where, used on the main
 * thread and by the projection thread alike.
 */
import type { TopicNames } from "../../core/events/topics.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import type { RunnerHooks, RunningProcessor } from "../../core/processing/runner.ts";
import type { Logger } from "../../core/logging/mod.ts";
import type { TimeSeriesStore } from "../../core/timeseries/time_series_store.ts";
import { readModelsProjector } from "../../processors/readmodels/mod.ts";
import { timeseriesProjector } from "../../processors/timeseries/mod.ts";
import type { ReadModelStore } from "../../core/readmodels/mod.ts";
import { runSupervised } from "./supervised.ts";

/** Starts a projector for each store given (a store is given when its role runs here). */
export function runProjectors(
  { log, topics, hooks, logger, timeseries, readModels }: {
    log: EventLog;
    topics: TopicNames;
    hooks: RunnerHooks;
    logger: Logger;
    timeseries?: TimeSeriesStore | undefined;
    readModels?: ReadModelStore | undefined;
  },
): RunningProcessor[] {
  const options = { log, hooks, logger, dlqTopic: topics.dlq };
  return [
    ...(timeseries ? [runSupervised(timeseriesProjector(timeseries, topics.telemetry), options)] : []),
    ...(readModels ? [runSupervised(readModelsProjector(readModels, topics), options)] : []),
  ];
}
