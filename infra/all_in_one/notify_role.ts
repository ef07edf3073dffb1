/**
 * The `notify` role: the notify processor on the generic runner (enqueueing webhook deliveries as
 * events go by) and its dispatcher (sending them), with delivery metrics. Its tick wakes the
 * dispatcher twice a second, which is when scheduled retries are picked up.
 */
import type { TopicNames } from "../../core/events/topics.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import type { RunningProcessor } from "../../core/processing/runner.ts";
import { LATENCY_BUCKETS } from "../../core/metrics/metrics.ts";
import { notifyProcessor } from "../../processors/notify/mod.ts";
import type { Webhooks } from "../webhooks/mod.ts";
import type { Instrumentation } from "./instrumentation.ts";
import { runSupervised } from "./supervised.ts";

export function startNotify(
  { log, topics, webhooks, instrumentation }: {
    log: EventLog;
    topics: TopicNames;
    webhooks: Webhooks;
    instrumentation: Instrumentation;
  },
): RunningProcessor {
  const { metrics } = instrumentation;
  const notify = notifyProcessor({
    store: webhooks.store,
    sender: webhooks.sender,
    secrets: webhooks.secrets,
    topics,
    ...(webhooks.retrySeconds ? { retrySeconds: webhooks.retrySeconds } : {}),
    logger: instrumentation.logger.child("notify"),
    onAttempt: ({ result, ms, outcome }) => {
      metrics.count(
        "aiot_webhook_attempts_total",
        "Webhook delivery attempts, by what the delivery became: delivered, retry (scheduled) or failed.",
        { result, status: "status" in outcome ? String(outcome.status) : "error" },
      );
      metrics.observe(
        "aiot_webhook_attempt_seconds",
        "Time of one webhook attempt.",
        {},
        ms / 1000,
        LATENCY_BUCKETS,
      );
    },
  });
  metrics.gauge("aiot_webhook_endpoints_sending", "Webhook endpoints with a delivery in progress.", () => [
    { labels: {}, value: notify.dispatcher.busy() },
  ]);
  const running = runSupervised(notify, {
    log,
    hooks: instrumentation.hooks,
    logger: instrumentation.logger,
    dlqTopic: topics.dlq,
    tickIntervalMs: 500,
  });
  return {
    ready: running.ready,
    done: running.done,
    health: () => running.health(),
    async stop() {
      await running.stop();
      await notify.stop();
    },
  };
}
