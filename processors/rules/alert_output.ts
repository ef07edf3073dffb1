/**
 * Alert transitions as events: `alert.raised/updated/cleared` keyed by the device, at the event
 * time of the point that caused them, with ids derived from the alert (see `core/rules/ids.ts`),
 * and the commands a raising rule's actions ask for.
 */
import { createEvent, type DomainEvent } from "../../core/events/catalog.ts";
import {
  alertEventIdOf,
  alertIdOf,
  describeCondition,
  type MetricValue,
  type Rule,
  type Transition,
} from "../../core/rules/mod.ts";

const SOURCE = "rules";

type ClearReason = "normal" | "manual" | "rule deleted" | "rule disabled" | "out of scope";

export interface AlertOutputOptions {
  now: () => number;
  /** How long a rule's command waits for its device. */
  commandTimeoutMs: number;
}

export function alertMessage(rule: Rule): string {
  return `${rule.name}: ${describeCondition(rule.condition)}`.slice(0, 1024);
}

export function raisedEvents(
  rule: Rule,
  deviceId: string,
  transition: Extract<Transition, { kind: "raised" }>,
  options: AlertOutputOptions,
): { alertId: string; events: DomainEvent[]; commands: DomainEvent[] } {
  const at = transition.at;
  const alertId = alertIdOf(rule.ruleId, deviceId, at);
  const raised = createEvent("alert.raised", {
    alertId,
    ruleId: rule.ruleId,
    ruleVersion: rule.version,
    deviceId,
    severity: rule.severity,
    raisedAt: at,
    value: transition.value,
    message: alertMessage(rule),
  }, {
    key: deviceId,
    source: SOURCE,
    time: at,
    now: options.now,
    id: alertEventIdOf(alertId, "raised", at),
  });
  // A command for a reading older than the command's own lifetime would only expire unanswered
  // (a backfill, a long outage): the alert is raised, the action is not taken.
  const now = options.now();
  const act = now - at <= options.commandTimeoutMs;
  const commands = act
    ? (rule.actions ?? []).map((action, i) =>
      createEvent("command.requested", {
        commandId: `${alertId}-c${i}`,
        name: action.name,
        ...(action.params === undefined ? {} : { params: action.params }),
        expiresAt: new Date(now + options.commandTimeoutMs).toISOString(),
        requestedBy: `rule:${rule.ruleId}`.slice(0, 128),
      }, { key: deviceId, source: SOURCE, now: options.now, id: alertEventIdOf(alertId, `command-${i}`, at) })
    )
    : [];
  return { alertId, events: [raised], commands };
}

export function updatedEvent(
  subject: { alertId: string; ruleId: string; deviceId: string },
  at: number,
  lastValue: MetricValue,
  now: () => number,
): DomainEvent {
  return createEvent("alert.updated", { ...subject, at, lastValue }, {
    key: subject.deviceId,
    source: SOURCE,
    time: at,
    now,
    id: alertEventIdOf(subject.alertId, "updated", at),
  });
}

export function clearedEvent(
  subject: { alertId: string; ruleId: string; deviceId: string },
  cleared: { at: number; reason: ClearReason; value?: MetricValue; lastValue?: MetricValue },
  now: () => number,
): DomainEvent {
  const { at, reason, value, lastValue } = cleared;
  return createEvent("alert.cleared", {
    ...subject,
    clearedAt: at,
    reason,
    ...(value === undefined ? {} : { value }),
    ...(lastValue === undefined ? {} : { lastValue }),
  }, {
    key: subject.deviceId,
    source: SOURCE,
    time: at,
    now,
    id: alertEventIdOf(subject.alertId, "cleared", at),
  });
}
