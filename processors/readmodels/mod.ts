/**
 * @module
 * The `readmodels` projector: the events of the registered read models (device, command and
 * dead-letter events, telemetry for `lastSeen` and `device_metrics`) → ReadModelStore. Rows and
 * checkpoints change in one transaction, so a redelivered batch is skipped up to the checkpoint:
 * exactly-once effect on top of at-least-once delivery.
 */
import type { ProcessorDefinition } from "../../core/processing/processor.ts";
import type { ReadModelStore } from "../../core/readmodels/store.ts";

export interface ReadModelTopics {
  device: string;
  command: string;
  dlq: string;
  telemetry: string;
}

export interface ReadModelsProjectorOptions {
  /** Project only these read models (a rebuild of one model); default: all of them. */
  models?: readonly string[];
}

export function readModelsProjector(
  store: ReadModelStore,
  topics: ReadModelTopics,
  options: ReadModelsProjectorOptions = {},
): ProcessorDefinition {
  const name = "readmodels";
  const only = options.models === undefined ? {} : { models: options.models };
  return {
    name,
    topics: [topics.device, topics.command, topics.dlq, topics.telemetry],
    async handle(events, { topic, partition, offsets }) {
      await store.project({ processor: name, topic, partition, events, offsets }, only);
    },
  };
}
