/**
 * The ProcessorStateStore port: where a stateful processor (rules; later OTA) keeps its per-key
 * state, checkpointed together with how far into each partition that state has read.
 *
 * The runner appends a processor's outputs, then calls its `persist`, then commits the offsets.
 * A crash before `persist` re-delivers the batch to the last saved state, which derives the same
 * outputs again (processors derive their output ids, so a repeat is recognisable). A crash after
 * `persist` but before the commit re-delivers events the saved state has already read: the saved
 * positions say so, and the processor passes over them. Either way nothing is lost and no state
 * transition happens twice.
 */

/** Plain JSON, as the state is stored. */
export type StateValue = string | number | boolean | null | StateValue[] | { [key: string]: StateValue };

/** `"<topic>/<partition>"`: the next offset the saved state has not read yet. */
export type StatePositions = ReadonlyMap<string, number>;

export interface StateSnapshot {
  entries: Map<string, StateValue>;
  positions: Map<string, number>;
}

export interface StateChanges {
  /** Entries written (a whole value per key). */
  put: ReadonlyMap<string, StateValue>;
  /** Entries removed. */
  remove: readonly string[];
  /** Positions advanced; positions not named stay as saved. */
  positions: StatePositions;
}

export interface ProcessorStateStore {
  /** Creates what the store needs; safe to call again. */
  migrate(): Promise<void>;
  /** Everything saved for `processor` (empty for a processor that never saved). */
  load(processor: string): Promise<StateSnapshot>;
  /** Saves `changes` atomically: all of them or none. Throws `retriable` errors while the engine is away. */
  save(processor: string, changes: StateChanges): Promise<void>;
  close(): Promise<void>;
}

/** The position key of a partition. */
export const positionKey = (topic: string, partition: number) => `${topic}/${partition}`;
