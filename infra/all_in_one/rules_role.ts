/**
 * The `rules` role: the rules processor on the generic runner, its state in the processor state
 * store (saved after each batch's alerts are durable), its absence timers ticking once a second.
 */
import type { TopicNames } from "../../core/events/topics.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import type { ProcessorStateStore } from "../../core/processing/state_store.ts";
import type { RunningProcessor } from "../../core/processing/runner.ts";
import { rulesProcessor } from "../../processors/rules/mod.ts";
import type { Instrumentation } from "./instrumentation.ts";
import { runSupervised } from "./supervised.ts";

export function startRules(
  { log, topics, state, instrumentation }: {
    log: EventLog;
    topics: TopicNames;
    state: ProcessorStateStore;
    instrumentation: Instrumentation;
  },
): RunningProcessor {
  const rules = rulesProcessor({ topics, state });
  instrumentation.metrics.gauge(
    "aiot_rules",
    "Rules known to the rules processor, and devices it keeps state for.",
    () => {
      const { rules: count, devices } = rules.size();
      return [{ labels: { kind: "rules" }, value: count }, { labels: { kind: "devices" }, value: devices }];
    },
  );
  return runSupervised(rules, {
    log,
    hooks: instrumentation.hooks,
    logger: instrumentation.logger,
    dlqTopic: topics.dlq,
    tickIntervalMs: 1000,
  });
}
