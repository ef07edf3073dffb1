/**
 * Read models marked `stale` by `migrate()` (their projection's version changed, or they are new
 * beside already projected data) are rebuilt from the log before the live projector starts: each
 * one alone, through the very projector the platform runs, leaving the other models untouched.
 */
import type { TopicNames } from "../../core/events/topics.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import type { ReadModelStore } from "../../core/readmodels/store.ts";
import { readModelsProjector } from "../../processors/readmodels/mod.ts";
import { rebuildProjection } from "../lifecycle/rebuild.ts";

/** Rebuilds one read model from the log (rows and checkpoints cleared first) and marks it ready. */
export async function rebuildReadModel(
  { log, topics, store, name, progress }: {
    log: EventLog;
    topics: TopicNames;
    store: ReadModelStore;
    name: string;
    progress?: (line: string, final: boolean) => void;
  },
): Promise<void> {
  await rebuildProjection({
    log,
    processor: { ...readModelsProjector(store, topics, { models: [name] }), name: `readmodels-${name}` },
    clear: () => store.clear([name]),
    ...(progress ? { progress } : {}),
  });
  await store.markReady(name);
}

/** Rebuilds every stale read model; returns their names. */
export async function rebuildStaleReadModels(
  deps: {
    log: EventLog;
    topics: TopicNames;
    store: ReadModelStore;
    progress?: (line: string, final: boolean) => void;
  },
): Promise<string[]> {
  const stale = (await deps.store.migrate()).filter((s) => s.status === "stale").map((s) => s.name);
  for (const name of stale) await rebuildReadModel({ ...deps, name });
  return stale;
}
