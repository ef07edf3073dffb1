/**
 * @module
 * The `rules` processor (design §9, the old platform's "event trigger"): folds telemetry and
 * device events per device through every rule in scope and appends `alert.raised/updated/cleared`
 * (plus the commands of a rule's actions). Keyed by device, so one device's alerts have a single
 * writer and one violation can never raise two alerts. Rules are events on the alert topic, so a
 * replay reproduces the alerts.
 *
 * Its state (rules, each device's per-rule state, and how far it has read each partition) is
 * saved through a `ProcessorStateStore` after every batch's outputs are durable (`persist`), so a
 * violation pending for ten minutes survives a restart or kill -9, and events the saved state has
 * already read are passed over when redelivered.
 */
import { createEvent, type DomainEvent, type EventOf } from "../../core/events/catalog.ts";
import { rejectedPayload } from "../../core/events/dlq.ts";
import type { ProcessorDefinition, ProcessorOutput } from "../../core/processing/processor.ts";
import { positionKey, type ProcessorStateStore } from "../../core/processing/state_store.ts";
import {
  carryOver,
  clearManually,
  evaluate,
  inputsFor,
  inScope,
  PLATFORM_DEVICE_EVENTS,
  pointInput,
  type Rule,
  type RuleInput,
  ruleOf,
} from "../../core/rules/mod.ts";
import { clearedEvent, raisedEvents, updatedEvent } from "./alert_output.ts";
import { type DeviceEntry, RuleBook, type RuleEntry } from "./rule_book.ts";

export interface RulesDeps {
  topics: { telemetry: string; device: string; alert: string; command: string; dlq: string };
  state: ProcessorStateStore;
  now?: () => number;
  /** Lifetime of the commands rule actions send. Default 5 minutes. */
  commandTimeoutMs?: number;
}

export interface RulesProcessor extends ProcessorDefinition {
  /** Loads the saved state; call once before running. */
  init(): Promise<void>;
  /** Rules known and devices with state (for metrics and tests). */
  size(): { rules: number; devices: number };
}

const NAME = "rules";
const encoder = new TextEncoder();

interface Outputs {
  alerts: DomainEvent[];
  commands: DomainEvent[];
  dlq: DomainEvent[];
}

const subjectOf = (rule: Rule, deviceId: string, entry: RuleEntry) => ({
  alertId: entry.alertId!,
  ruleId: rule.ruleId,
  deviceId,
});

/** The entry without its open alert's fields. */
function closedEntry(entry: RuleEntry): RuleEntry {
  const { alertId: _a, raisedVersion: _v, ...rest } = entry;
  return rest;
}

export function rulesProcessor(deps: RulesDeps): RulesProcessor {
  const now = deps.now ?? Date.now;
  const outputOptions = { now, commandTimeoutMs: deps.commandTimeoutMs ?? 5 * 60_000 };
  let book = new RuleBook();

  /** Feeds one input of `rule` to the device's state and turns its transitions into events. */
  function step(deviceId: string, device: DeviceEntry, rule: Rule, input: RuleInput, out: Outputs): void {
    const before = device.rules[rule.ruleId] ?? { phase: "normal" };
    const { state, transitions } = evaluate(before, rule, input);
    let entry: RuleEntry = state;
    for (const t of transitions) {
      if (t.kind === "raised") {
        const raised = raisedEvents(rule, deviceId, t, outputOptions);
        entry = { ...entry, alertId: raised.alertId, raisedVersion: rule.version };
        out.alerts.push(...raised.events);
        out.commands.push(...raised.commands);
      } else if (t.kind === "updated" && entry.alertId) {
        out.alerts.push(updatedEvent(subjectOf(rule, deviceId, entry), t.at, t.lastValue, now));
      } else if (t.kind === "cleared" && entry.alertId) {
        out.alerts.push(clearedEvent(subjectOf(rule, deviceId, entry), { ...t, reason: "normal" }, now));
        entry = closedEntry(entry);
      }
    }
    if (entry !== before) {
      device.rules[rule.ruleId] = entry;
      book.touched(deviceId);
    }
  }

  /** A rule's runtime failure on one device goes to the DLQ with its reason; the others go on. */
  function deadLetter(event: DomainEvent, rule: Rule, topic: string, out: Outputs, error: unknown): void {
    const reason = `${NAME}: rule ${rule.ruleId} v${rule.version} failed on device ${event.key}: ${
      error instanceof Error ? error.message : String(error)
    }`;
    out.dlq.push(createEvent("input.rejected", {
      topic,
      reason: reason.slice(0, 1024),
      ...rejectedPayload(encoder.encode(JSON.stringify(event))),
      deviceId: event.key.length <= 128 ? event.key : undefined,
    }, { key: event.key, source: NAME, now }));
  }

  /**
   * Feeds a reading to the rules it concerns. A telemetry event's points are read once for all
   * rules (each point to the rules of its metric), not once per rule: about 40 of 100 rules see a
   * typical message, and this loop is the processor's hot path. A rule that fails on the device
   * is dead-lettered once per event and skips the event's other points.
   */
  function onReading(
    event: EventOf<
      "telemetry.reported" | "device.event.reported" | "camera.stream.online" | "camera.stream.offline"
    >,
    topic: string,
    out: Outputs,
  ) {
    const deviceId = event.key;
    const labels = book.devices.get(deviceId)?.labels;
    let device: DeviceEntry | undefined;
    let failed: Set<Rule> | undefined;
    const feed = (rule: Rule, input: RuleInput) => {
      if (failed?.has(rule) || (rule.scope !== undefined && !inScope(rule, deviceId, labels))) return;
      try {
        step(deviceId, device ??= book.device(deviceId, true), rule, input, out);
      } catch (error) {
        (failed ??= new Set()).add(rule);
        deadLetter(event, rule, topic, out, error);
      }
    };
    if (event.type !== "telemetry.reported") {
      const type = event.type === "device.event.reported" ? event.data.eventType : event.type;
      for (const rule of book.byEventType.get(type) ?? []) {
        for (const input of inputsFor(rule, event)) feed(rule, input);
      }
      return;
    }
    for (const point of event.data.values) {
      for (const rule of book.byMetric.get(point.name) ?? []) {
        const input = pointInput(rule, point);
        if (input) feed(rule, input);
      }
      for (const rule of book.anyTelemetry) {
        const input = pointInput(rule, point);
        if (input) feed(rule, input);
      }
    }
  }

  /** Closes the open alerts of `rule` on every device `which` picks, for `reason`, at `at`. */
  function closeAll(
    rule: Rule,
    at: number,
    reason: "rule deleted" | "rule disabled" | "out of scope",
    out: Outputs,
    which: (deviceId: string, device: DeviceEntry) => boolean = () => true,
  ): void {
    for (const [deviceId, device] of book.devices) {
      const entry = device.rules[rule.ruleId];
      if (entry === undefined || !which(deviceId, device)) continue;
      if (entry.alertId) {
        out.alerts.push(clearedEvent(subjectOf(rule, deviceId, entry), {
          at,
          reason,
          ...(entry.lastValue === undefined ? {} : { lastValue: entry.lastValue }),
        }, now));
      }
      delete device.rules[rule.ruleId];
      book.touched(deviceId);
    }
  }

  function onRuleVersion(event: EventOf<"rule.defined" | "rule.changed">, out: Outputs): void {
    const next = ruleOf(event);
    const previous = book.rules.get(next.ruleId);
    if (previous && previous.version >= next.version) return; // a repeat or an older version
    const at = Date.parse(event.time);
    book.putRule(next);
    if (!previous) return;
    if (!next.enabled) return closeAll(previous, at, "rule disabled", out);
    closeAll(
      previous,
      at,
      "out of scope",
      out,
      (deviceId, device) => !inScope(next, deviceId, device.labels),
    );
    for (const [deviceId, device] of book.devices) {
      const entry = device.rules[next.ruleId];
      if (entry === undefined) continue;
      device.rules[next.ruleId] = carryOver(entry, previous, next);
      book.touched(deviceId);
    }
  }

  function onEvent(event: DomainEvent, topic: string, out: Outputs): void {
    switch (event.type) {
      case "telemetry.reported":
      case "device.event.reported":
      case "camera.stream.online":
      case "camera.stream.offline":
        return onReading(event, topic, out);
      case "rule.defined":
      case "rule.changed":
        return onRuleVersion(event, out);
      case "rule.deleted": {
        const rule = book.rules.get(event.data.ruleId);
        if (!rule) return;
        closeAll(rule, Date.parse(event.time), "rule deleted", out);
        return book.deleteRule(rule.ruleId);
      }
      case "alert.cleared": {
        // A person cleared it (the API's event); the processor's own clears need nothing more.
        if (event.data.reason !== "manual") return;
        const device = book.device(event.data.deviceId);
        const entry = device?.rules[event.data.ruleId];
        const rule = book.rules.get(event.data.ruleId);
        if (!device || !entry || !rule || entry.alertId !== event.data.alertId) return;
        device.rules[rule.ruleId] = closedEntry(clearManually(entry, rule));
        return book.touched(event.data.deviceId);
      }
      case "device.registered":
      case "device.updated": {
        const labels = event.data.labels;
        if (labels === undefined) return;
        book.device(event.key, true).labels = labels;
        return book.touched(event.key);
      }
    }
  }

  function output(out: Outputs): ProcessorOutput {
    return {
      append: [
        { topic: deps.topics.alert, events: out.alerts },
        { topic: deps.topics.command, events: out.commands },
        { topic: deps.topics.dlq, events: out.dlq },
      ],
    };
  }

  return {
    name: NAME,
    topics: [deps.topics.alert, deps.topics.telemetry, deps.topics.device],
    handles: [
      "telemetry.reported",
      "device.event.reported",
      "camera.stream.online",
      "camera.stream.offline",
      "device.registered",
      "device.updated",
      "rule.defined",
      "rule.changed",
      "rule.deleted",
      "alert.cleared",
    ],
    async init() {
      book = RuleBook.fromSnapshot(await deps.state.load(NAME));
    },
    // Readings reach only enabled rules: without one of their kind there is nothing to evaluate.
    relevant() {
      const telemetry = book.anyTelemetry.length > 0 || book.byMetric.size > 0;
      const deviceEvents = book.byEventType.size > 0;
      return (type) =>
        type === "telemetry.reported"
          ? telemetry
          : type === "device.event.reported" || PLATFORM_DEVICE_EVENTS.has(type)
          ? deviceEvents
          : true;
    },
    size: () => ({ rules: book.rules.size, devices: book.devices.size }),
    handle(events, context) {
      const out: Outputs = { alerts: [], commands: [], dlq: [] };
      const position = positionKey(context.topic, context.partition);
      const readTo = book.positions.get(position) ?? 0;
      for (let i = 0; i < events.length; i++) {
        const offset = context.offsets[i]!;
        if (offset < readTo) continue; // the saved state has read it already
        onEvent(events[i]!, context.topic, out);
        book.readTo(position, offset + 1);
      }
      return output(out);
    },
    tick(at) {
      const out: Outputs = { alerts: [], commands: [], dlq: [] };
      for (const rule of book.absence) {
        for (const [deviceId, device] of book.devices) {
          if (device.rules[rule.ruleId]?.lastSeen === undefined) continue;
          step(deviceId, device, rule, { kind: "time", now: at }, out);
        }
      }
      return output(out);
    },
    async persist() {
      if (!book.hasChanges()) return;
      await deps.state.save(NAME, book.changes());
      book.saved();
    },
  };
}
