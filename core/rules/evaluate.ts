/**
 * The alert lifecycle of one rule on one device as a pure fold (design §9):
 * `evaluate(state, rule, input) → { state, transitions }`. The live `rules` processor and the
 * backtest call exactly this, so a backtest of the same data and rule version gives the same
 * transitions. Everything is in event time: a point's `t`, never the wall clock — except the
 * `time` input, which is how the live processor's timer (and the end of a backtest) tells an
 * absence rule that time has passed without telemetry.
 *
 * normal ─violating (lasting forSeconds)→ open ─normal beyond hysteresis→ normal
 *   ╰─violating→ pending ─normal→ normal          open ─manual clear→ rearm ─normal→ normal
 */
import { violates } from "./condition.ts";
import type { MetricValue, Rule } from "./rule.ts";

export interface RuleState {
  phase: "normal" | "pending" | "open" | "rearm";
  /** pending: event time of the first violating point. */
  since?: number;
  /** open: when it was raised, and the latest violating value. */
  raisedAt?: number;
  lastValue?: MetricValue;
  /** open: event time and value of the last `updated` transition. */
  updatedAt?: number;
  updatedValue?: MetricValue;
  /** rate: the previous point of the metric. */
  prev?: { t: number; v: number };
  /** absence: the latest event time seen. */
  lastSeen?: number;
}

export type RuleInput =
  | { kind: "point"; t: number; value: MetricValue }
  | { kind: "event"; t: number; type: string }
  | { kind: "time"; now: number };

export type Transition =
  | { kind: "raised"; at: number; value: MetricValue }
  | { kind: "updated"; at: number; lastValue: MetricValue }
  | { kind: "cleared"; at: number; value: MetricValue; lastValue?: MetricValue };

export interface Evaluation {
  state: RuleState;
  transitions: Transition[];
}

/** An open alert reports a new `lastValue` at most this often in event time. */
export const ALERT_UPDATE_EVERY_MS = 10_000;

export const initialRuleState = (): RuleState => ({ phase: "normal" });

const open = (state: RuleState, at: number, value: MetricValue): Evaluation => {
  const { since: _since, ...rest } = state;
  return {
    state: { ...rest, phase: "open", raisedAt: at, lastValue: value, updatedAt: at, updatedValue: value },
    transitions: [{ kind: "raised", at, value }],
  };
};

const closed = (state: RuleState, at: number, value: MetricValue): Evaluation => {
  const { raisedAt: _r, lastValue, updatedAt: _u, updatedValue: _v, since: _s, ...rest } = state;
  return {
    state: { ...rest, phase: "normal" },
    transitions: [{ kind: "cleared", at, value, ...(lastValue === undefined ? {} : { lastValue }) }],
  };
};

/** A violating point while open: a new `lastValue`, reported when it changed and enough time passed. */
function stillViolating(state: RuleState, at: number, value: MetricValue): Evaluation {
  const next = { ...state, lastValue: value };
  const due = state.updatedAt === undefined || at - state.updatedAt >= ALERT_UPDATE_EVERY_MS;
  if (!due || value === state.updatedValue) return { state: next, transitions: [] };
  return {
    state: { ...next, updatedAt: at, updatedValue: value },
    transitions: [{ kind: "updated", at, lastValue: value }],
  };
}

const unchanged = (state: RuleState): Evaluation => ({ state, transitions: [] });

function evaluateLevel(state: RuleState, rule: Rule, t: number, judged: MetricValue): Evaluation {
  const condition = rule.condition;
  const violated = violates(condition, judged);
  if (violated === undefined) return unchanged(state);
  const forMs = "forSeconds" in condition ? (condition.forSeconds ?? 0) * 1000 : 0;
  switch (state.phase) {
    case "normal":
      if (!violated) return unchanged(state);
      return forMs === 0 ? open(state, t, judged) : unchanged({ ...state, phase: "pending", since: t });
    case "pending":
      if (!violated) {
        const { since: _since, ...rest } = state;
        return unchanged({ ...rest, phase: "normal" });
      }
      return t - state.since! >= forMs ? open(state, t, judged) : unchanged(state);
    case "open": {
      if (violated) return stillViolating(state, t, judged);
      const slack = rule.clear?.hysteresis ?? 0;
      return violates(condition, judged, slack) ? unchanged(state) : closed(state, t, judged);
    }
    case "rearm": {
      const slack = rule.clear?.hysteresis ?? 0;
      return violates(condition, judged, slack) === false
        ? unchanged({ ...state, phase: "normal" })
        : unchanged(state);
    }
  }
}

/** The rate between the previous point and this one, and the state remembering this point. */
function rateOf(state: RuleState, t: number, value: MetricValue): { state: RuleState; rate?: number } {
  if (typeof value !== "number") return { state };
  const prev = state.prev;
  if (prev !== undefined && t <= prev.t) return { state }; // out of order: no rate, keep the newer point
  const next = { ...state, prev: { t, v: value } };
  if (prev === undefined) return { state: next };
  return { state: next, rate: (value - prev.v) / ((t - prev.t) / 1000) };
}

function evaluateAbsence(state: RuleState, seconds: number, input: RuleInput): Evaluation {
  const limitMs = seconds * 1000;
  if (input.kind === "time") {
    if (state.phase !== "normal" || state.lastSeen === undefined) return unchanged(state);
    return input.now - state.lastSeen > limitMs
      ? open(state, state.lastSeen + limitMs, seconds)
      : unchanged(state);
  }
  if (input.kind !== "point") return unchanged(state);
  const seen = { ...state, lastSeen: Math.max(state.lastSeen ?? input.t, input.t) };
  switch (state.phase) {
    case "open":
      return closed(seen, input.t, input.value);
    case "rearm":
      return unchanged({ ...seen, phase: "normal" });
    default: {
      // A gap found only now (the timer did not run, or this is a backtest): raised and cleared.
      if (state.lastSeen === undefined || input.t - state.lastSeen <= limitMs) return unchanged(seen);
      const raised = open(seen, state.lastSeen + limitMs, seconds);
      const cleared = closed(raised.state, input.t, input.value);
      return { state: cleared.state, transitions: [...raised.transitions, ...cleared.transitions] };
    }
  }
}

/**
 * The state of `rule` on one device after `input`, and the alert transitions it caused. The
 * caller passes only inputs the rule reads: points of its metric (any metric for an absence rule
 * without one), device events for an event rule, and time for absence rules.
 */
export function evaluate(state: RuleState, rule: Rule, input: RuleInput): Evaluation {
  const condition = rule.condition;
  switch (condition.kind) {
    case "absence":
      return evaluateAbsence(state, condition.seconds, input);
    case "event": {
      if (input.kind !== "event" || input.type !== condition.type) return unchanged(state);
      return state.phase === "open"
        ? stillViolating(state, input.t, input.type)
        : open(state, input.t, input.type);
    }
    case "rate": {
      if (input.kind !== "point") return unchanged(state);
      const { state: next, rate } = rateOf(state, input.t, input.value);
      return rate === undefined ? unchanged(next) : evaluateLevel(next, rule, input.t, rate);
    }
    default:
      return input.kind === "point" ? evaluateLevel(state, rule, input.t, input.value) : unchanged(state);
  }
}

/**
 * A person cleared the open alert: it closes, and the rule re-arms only once the condition was
 * normal again (an event rule at once: its condition is an instant, not a level).
 */
export function clearManually(state: RuleState, rule: Rule): RuleState {
  if (state.phase !== "open") return state;
  const { raisedAt: _r, lastValue: _l, updatedAt: _u, updatedValue: _v, ...rest } = state;
  return { ...rest, phase: rule.condition.kind === "event" ? "normal" : "rearm" };
}

/**
 * The state kept when the rule gets a new version: an open alert stays open and is judged by the
 * new condition from the next point on; a violation still pending starts counting again.
 */
export function carryOver(state: RuleState, previous: Rule, next: Rule): RuleState {
  const sameMetric = JSON.stringify(previous.condition) === JSON.stringify(next.condition) ||
    ("metric" in previous.condition && "metric" in next.condition &&
      previous.condition.metric === next.condition.metric);
  const { since: _since, prev, ...rest } = state;
  return {
    ...rest,
    phase: state.phase === "pending" ? "normal" : state.phase,
    ...(sameMetric && prev !== undefined ? { prev } : {}),
  };
}
