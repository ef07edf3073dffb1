/**
 * @module
 * The `readmodels` projector: the events of the registered read models (device, command, rule,
 * alert and dead-letter events, telemetry for `lastSeen` and `device_metrics`) → ReadModelStore.
 * It reads the topics of the event types the models project, so a new model brings its topics
 * with it. Rows and
 * checkpoints change in one transaction, so a redelivered batch is skipped up to the checkpoint:
 * exactly-once effect on top of at-least-once delivery.
 */
import type { ProcessorDefinition } from "../../core/processing/processor.ts";
import type { ReadModelStore } from "../../core/readmodels/store.ts";
import { eventCatalog } from "../../core/events/catalog.ts";
import type { TopicNames } from "../../core/events/topics.ts";

export interface ReadModelsProjectorOptions {
  /** Project only these read models (a rebuild of one model); default: all of them. */
  models?: readonly string[];
}

export function readModelsProjector(
  store: ReadModelStore,
  topics: TopicNames,
  options: ReadModelsProjectorOptions = {},
): ProcessorDefinition {
  const name = "readmodels";
  const only = options.models === undefined ? {} : { models: options.models };
  const models = store.models.filter((m) => options.models === undefined || options.models.includes(m.name));
  const families = new Set(models.flatMap((m) => [...m.eventTypes].map((type) => eventCatalog[type].family)));
  return {
    name,
    topics: [...families].map((family) => topics[family]),
    async handle(events, { topic, partition, offsets }) {
      await store.project({ processor: name, topic, partition, events, offsets }, only);
    },
  };
}
