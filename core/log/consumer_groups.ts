/**
 * In-process consumer-group coordination for the local logs: members of a group split the
 * partitions round-robin, and a partition changes hands only after its previous owner released
 * it at a batch boundary, so one partition never has two writers at once.
 */

export interface TopicPartition {
  topic: string;
  partition: number;
}

interface GroupState {
  members: string[];
  /** "topic#partition" → member id currently processing it. */
  owners: Map<string, string>;
}

const slots = new WeakMap<TopicPartition, string>();

/**
 * `"topic#partition"`, built once per `TopicPartition` object: consumers pass the same objects on
 * every turn of their loop, and a string built anew each time costs its allocation and, as a map
 * key, its hash (this was 6.5 % of the main thread at full ingest, with a handful of consumers).
 */
export function partitionSlot(tp: TopicPartition): string {
  let id = slots.get(tp);
  if (id === undefined) slots.set(tp, id = `${tp.topic}#${tp.partition}`);
  return id;
}

export class ConsumerGroups {
  readonly #groups = new Map<string, GroupState>();
  readonly #listeners = new Set<() => void>();

  join(group: string, member: string): void {
    const state: GroupState = this.#groups.get(group) ?? { members: [], owners: new Map() };
    this.#groups.set(group, state);
    if (!state.members.includes(member)) state.members.push(member);
    this.#changed();
  }

  leave(group: string, member: string): void {
    const state = this.#groups.get(group);
    if (!state) return;
    state.members = state.members.filter((m) => m !== member);
    for (const [key, owner] of state.owners) if (owner === member) state.owners.delete(key);
    if (state.members.length === 0) this.#groups.delete(group);
    this.#changed();
  }

  /** The partitions `member` should own now: every n-th partition of each topic. */
  assignment(group: string, member: string, partitions: TopicPartition[]): TopicPartition[] {
    const members = this.#groups.get(group)?.members ?? [];
    const index = members.indexOf(member);
    if (index < 0) return [];
    return partitions.filter((_, i) => i % members.length === index);
  }

  /**
   * Releases what `member` holds outside `wanted` and claims what in `wanted` is free.
   * Returns the partitions it owns afterwards.
   */
  rebalance(group: string, member: string, wanted: TopicPartition[]): TopicPartition[] {
    const state = this.#groups.get(group);
    if (!state) return [];
    const wantedSlots = new Set(wanted.map(partitionSlot));
    let released = false;
    for (const [key, owner] of state.owners) {
      if (owner === member && !wantedSlots.has(key)) {
        state.owners.delete(key);
        released = true;
      }
    }
    const owned: TopicPartition[] = [];
    for (const tp of wanted) {
      const owner = state.owners.get(partitionSlot(tp));
      if (owner === undefined) state.owners.set(partitionSlot(tp), member);
      if (owner === undefined || owner === member) owned.push(tp);
    }
    if (released) this.#changed();
    return owned;
  }

  /** Called on every membership or ownership change (wakes idle consumers). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
