/**
 * @module
 * The `readmodels` projector: device, command and dead-letter events (and telemetry, for
 * `lastSeen`) → ReadModels. Rows and the checkpoint change in one transaction, so a redelivered
 * batch is skipped up to the checkpoint: exactly-once effect on top of at-least-once delivery.
 */
import type { ProcessorDefinition } from "../../core/processing/processor.ts";
import type { ReadModels } from "../../core/readmodels/read_models.ts";

export interface ReadModelTopics {
  device: string;
  command: string;
  dlq: string;
  telemetry: string;
}

export function readModelsProjector(readModels: ReadModels, topics: ReadModelTopics): ProcessorDefinition {
  const name = "readmodels";
  return {
    name,
    topics: [topics.device, topics.command, topics.dlq, topics.telemetry],
    async handle(events, { topic, partition, offsets }) {
      await readModels.project({ processor: name, topic, partition, events, offsets });
    },
  };
}
