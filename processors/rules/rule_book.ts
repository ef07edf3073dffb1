/**
 * The rules processor's state: the rules by id (with indexes by what they read), each device's
 * labels and per-rule alert state, the log positions that state has read, and what changed since
 * the last save. Saved through the `ProcessorStateStore` as `rule:<id>` and `device:<id>` entries.
 */
import type { StateChanges, StateSnapshot, StateValue } from "../../core/processing/state_store.ts";
import type { Labels, Rule, RuleState } from "../../core/rules/mod.ts";

/** A rule's state on one device, with the open alert's id and the rule version that raised it. */
export interface RuleEntry extends RuleState {
  alertId?: string;
  raisedVersion?: number;
}

export interface DeviceEntry {
  labels?: Labels;
  rules: Record<string, RuleEntry>;
}

export class RuleBook {
  readonly rules = new Map<string, Rule>();
  readonly devices = new Map<string, DeviceEntry>();
  readonly positions = new Map<string, number>();
  /** Rules reading a metric, rules reading any telemetry, rules on device events, absence rules. */
  byMetric = new Map<string, Rule[]>();
  anyTelemetry: Rule[] = [];
  byEventType = new Map<string, Rule[]>();
  absence: Rule[] = [];

  #dirtyRules = new Set<string>();
  #dirtyDevices = new Set<string>();
  #removed = new Set<string>();
  #movedPositions = new Set<string>();

  static fromSnapshot(snapshot: StateSnapshot): RuleBook {
    const book = new RuleBook();
    for (const [key, value] of snapshot.entries) {
      if (key.startsWith("rule:")) book.rules.set(key.slice(5), value as unknown as Rule);
      else if (key.startsWith("device:")) book.devices.set(key.slice(7), value as unknown as DeviceEntry);
    }
    for (const [key, next] of snapshot.positions) book.positions.set(key, next);
    book.reindex();
    return book;
  }

  /** Rebuilds the indexes; rules change rarely, points arrive all the time. */
  reindex(): void {
    this.byMetric = new Map();
    this.anyTelemetry = [];
    this.byEventType = new Map();
    this.absence = [];
    const add = <K>(map: Map<K, Rule[]>, key: K, rule: Rule) => map.set(key, [...(map.get(key) ?? []), rule]);
    for (const rule of this.rules.values()) {
      if (!rule.enabled) continue;
      const c = rule.condition;
      if (c.kind === "event") add(this.byEventType, c.type, rule);
      else if (c.metric === undefined) this.anyTelemetry.push(rule);
      else add(this.byMetric, c.metric, rule);
      if (c.kind === "absence") this.absence.push(rule);
    }
  }

  putRule(rule: Rule): void {
    this.rules.set(rule.ruleId, rule);
    this.#dirtyRules.add(rule.ruleId);
    this.#removed.delete(`rule:${rule.ruleId}`);
    this.reindex();
  }

  deleteRule(ruleId: string): void {
    this.rules.delete(ruleId);
    this.#dirtyRules.delete(ruleId);
    this.#removed.add(`rule:${ruleId}`);
    this.reindex();
  }

  /** The device's entry, created when `create` is set. */
  device(deviceId: string, create: true): DeviceEntry;
  device(deviceId: string, create?: false): DeviceEntry | undefined;
  device(deviceId: string, create = false): DeviceEntry | undefined {
    let entry = this.devices.get(deviceId);
    if (entry === undefined && create) this.devices.set(deviceId, entry = { rules: {} });
    return entry;
  }

  touched(deviceId: string): void {
    this.#dirtyDevices.add(deviceId);
  }

  readTo(position: string, next: number): void {
    this.positions.set(position, next);
    this.#movedPositions.add(position);
  }

  /** What changed since the last `saved()`. */
  changes(): StateChanges {
    const put = new Map<string, StateValue>();
    for (const id of this.#dirtyRules) put.set(`rule:${id}`, this.rules.get(id) as unknown as StateValue);
    for (const id of this.#dirtyDevices) {
      const entry = this.devices.get(id);
      if (entry) put.set(`device:${id}`, entry as unknown as StateValue);
    }
    return {
      put,
      remove: [...this.#removed],
      positions: new Map([...this.#movedPositions].map((key) => [key, this.positions.get(key)!])),
    };
  }

  hasChanges(): boolean {
    return this.#dirtyRules.size + this.#dirtyDevices.size + this.#removed.size + this.#movedPositions.size >
      0;
  }

  saved(): void {
    this.#dirtyRules.clear();
    this.#dirtyDevices.clear();
    this.#removed.clear();
    this.#movedPositions.clear();
  }
}
