/**
 * What a rule would have done over a stretch of the log (design §9, `POST /rules/backtest`): the
 * recorded events go through `evaluate` exactly as the live processor sends them, with every side
 * effect off. Memory is bounded by the devices in scope and `maxTransitions`, not by the range.
 */
import type { DomainEvent } from "../events/catalog.ts";
import { evaluate, type RuleState } from "./evaluate.ts";
import { inputsFor } from "./inputs.ts";
import { inScope, type Labels, type MetricValue, type Rule } from "./rule.ts";

export interface BacktestTransition {
  deviceId: string;
  raisedAt: number;
  /** `null` while still open at the end of the range. */
  clearedAt: number | null;
  value: MetricValue;
  severity: Rule["severity"];
}

export interface BacktestResult {
  transitions: BacktestTransition[];
  /** Set when more alerts were raised than `maxTransitions`: the stats still count every one. */
  truncated?: true;
  stats: { events: number; devices: number; raised: number; open: number; timeInAlertSeconds: number };
}

export interface BacktestOptions {
  /** Event-time range [from, to), epoch ms. */
  from: number;
  to: number;
  /** Only these devices (and only those the rule's scope has). */
  devices?: readonly string[];
  /** Registry labels of a device, for scopes by label. */
  labelsOf?(deviceId: string): Labels | undefined;
  /** Called after each chunk with the events read so far. */
  onProgress?(progress: { scanned: number; evaluated: number }): void;
  /** Default 10,000. */
  maxTransitions?: number;
  signal?: AbortSignal;
}

export async function backtest(
  rule: Rule,
  chunks: AsyncIterable<readonly DomainEvent[]>,
  options: BacktestOptions,
): Promise<BacktestResult> {
  const { from, to } = options;
  const only = options.devices ? new Set(options.devices) : undefined;
  const maxTransitions = options.maxTransitions ?? 10_000;
  const states = new Map<string, RuleState>();
  const openIndex = new Map<string, number>(); // device → index of its open transition
  const transitions: BacktestTransition[] = [];
  const inScopeCache = new Map<string, boolean>();
  let scanned = 0, evaluated = 0, raised = 0, open = 0, alertMs = 0, truncated = false;

  const watches = (deviceId: string) => {
    let watched = inScopeCache.get(deviceId);
    if (watched === undefined) {
      watched = (only === undefined || only.has(deviceId)) &&
        inScope(rule, deviceId, options.labelsOf?.(deviceId));
      inScopeCache.set(deviceId, watched);
    }
    return watched;
  };

  const apply = (deviceId: string, input: Parameters<typeof evaluate>[2]) => {
    const result = evaluate(states.get(deviceId) ?? { phase: "normal" }, rule, input);
    states.set(deviceId, result.state);
    for (const t of result.transitions) {
      if (t.kind === "raised") {
        raised++, open++;
        if (transitions.length < maxTransitions) {
          openIndex.set(deviceId, transitions.length);
          transitions.push({
            deviceId,
            raisedAt: t.at,
            clearedAt: null,
            value: t.value,
            severity: rule.severity,
          });
        } else truncated = true;
        alertMs -= t.at;
      } else if (t.kind === "cleared") {
        open--;
        alertMs += t.at;
        const index = openIndex.get(deviceId);
        if (index !== undefined) transitions[index]!.clearedAt = t.at;
        openIndex.delete(deviceId);
      }
    }
  };

  for await (const chunk of chunks) {
    options.signal?.throwIfAborted();
    for (const event of chunk) {
      scanned++;
      if (!watches(event.key)) continue;
      const inputs = inputsFor(rule, event, { from, to });
      if (inputs.length === 0) continue;
      evaluated++;
      for (const input of inputs) apply(event.key, input);
    }
    options.onProgress?.({ scanned, evaluated });
  }
  // Absence rules: the end of the range is the last moment time passed without telemetry.
  if (rule.condition.kind === "absence") {
    for (const deviceId of [...states.keys()]) apply(deviceId, { kind: "time", now: to });
  }
  alertMs += open * to;
  return {
    transitions,
    ...(truncated ? { truncated: true as const } : {}),
    stats: {
      events: evaluated,
      devices: states.size,
      raised,
      open,
      timeInAlertSeconds: Math.round(alertMs) / 1000,
    },
  };
}
