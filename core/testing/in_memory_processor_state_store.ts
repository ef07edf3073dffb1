/** The ProcessorStateStore fake: snapshots in a map, copied in and out so callers cannot alias them. */
import type { ProcessorStateStore, StateSnapshot, StateValue } from "../processing/state_store.ts";

export interface InMemoryProcessorStateStore extends ProcessorStateStore {
  /** Makes the next `save` calls fail (with a retriable error) while it returns true. */
  failSaves(fail: () => boolean): void;
}

const copy = <T>(value: T): T => structuredClone(value);

export function createInMemoryProcessorStateStore(): InMemoryProcessorStateStore {
  const saved = new Map<string, { entries: Map<string, StateValue>; positions: Map<string, number> }>();
  let failing = () => false;
  return {
    migrate: () => Promise.resolve(),
    load(processor): Promise<StateSnapshot> {
      const snapshot = saved.get(processor);
      return Promise.resolve({
        entries: copy(snapshot?.entries ?? new Map()),
        positions: copy(snapshot?.positions ?? new Map()),
      });
    },
    save(processor, changes) {
      if (failing()) {
        return Promise.reject(Object.assign(new Error("state store unavailable"), { retriable: true }));
      }
      const snapshot = saved.get(processor) ?? { entries: new Map(), positions: new Map() };
      for (const [key, value] of changes.put) snapshot.entries.set(key, copy(value));
      for (const key of changes.remove) snapshot.entries.delete(key);
      for (const [key, next] of changes.positions) snapshot.positions.set(key, next);
      saved.set(processor, snapshot);
      return Promise.resolve();
    },
    failSaves(fail) {
      failing = fail;
    },
    close: () => Promise.resolve(),
  };
}
