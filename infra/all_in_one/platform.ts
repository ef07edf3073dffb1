/**
 * The composition of the whole platform in one process: the event log, the projection stores and
 * the processors on the generic runner, from configuration. `main.ts` serves it; tests start it
 * in-process. Everything started here is stopped by `stop()` in reverse order.
 */
import { type TopicNames, topicNames } from "../../core/events/topics.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import { type RunningProcessor, runProcessor } from "../../core/processing/runner.ts";
import type { ReadModels } from "../../core/readmodels/read_models.ts";
import type { TimeSeriesStore } from "../../core/timeseries/time_series_store.ts";
import type { ReadinessCheck } from "../../api/app.ts";
import { readModelsProjector } from "../../processors/readmodels/mod.ts";
import { timeseriesProjector } from "../../processors/timeseries/mod.ts";
import type { AiotConfig } from "../config/config.ts";
import { openEventLog } from "../event_log_from_config.ts";
import { openReadModels, openTimeSeriesStore } from "../stores_from_config.ts";

export interface Platform {
  config: AiotConfig;
  topics: TopicNames;
  log: EventLog;
  engines: { log: string; timeseries: string; readModels: string };
  timeseries: TimeSeriesStore;
  readModels: ReadModels;
  processors: RunningProcessor[];
  readiness(): Promise<ReadinessCheck[]>;
  stop(): Promise<void>;
}

async function probe(name: string, check: () => Promise<unknown>): Promise<ReadinessCheck> {
  try {
    await check();
    return { name, ok: true };
  } catch (error) {
    return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

export async function startPlatform(config: AiotConfig): Promise<Platform> {
  const topics = topicNames(config.topicPrefix);
  const { log, engine } = await openEventLog(config);
  await log.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: config.partitions })));
  const timeseries = await openTimeSeriesStore(config);
  const readModels = await openReadModels(config);
  const engines = {
    log: engine,
    timeseries: config.mongoUrl ? "mongodb" : "sqlite",
    readModels: config.postgresUrl ? "postgresql" : "sqlite",
  };

  const processors = [
    timeseriesProjector(timeseries, topics.telemetry),
    readModelsProjector(readModels, topics),
  ].map((definition) => runProcessor(definition, { log, dlqTopic: topics.dlq }));
  await Promise.all(processors.map((p) => p.ready));

  return {
    config,
    topics,
    log,
    engines,
    timeseries,
    readModels,
    processors,
    readiness: () =>
      Promise.all([
        probe(`log (${engines.log})`, () => log.endOffsets(topics.telemetry)),
        probe(`timeseries (${engines.timeseries})`, () => timeseries.latest("readiness-probe")),
        probe(`readmodels (${engines.readModels})`, () =>
          readModels.checkpoint("readiness-probe", topics.device, 0)),
      ]),
    async stop() {
      await Promise.all(processors.map((p) => p.stop()));
      await Promise.all([timeseries.close(), readModels.close()]);
      await log.close();
    },
  };
}
