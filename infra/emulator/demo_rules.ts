/**
 * The rules `deno task start --demo` defines, so alerts show up within a few minutes: the boiler's
 * scheduled overheating (a threshold held for 20 s, cleared with hysteresis), the van speeding, and
 * any demo device falling silent. Each is defined the way `POST /rules` defines one — a
 * `rule.defined` event on the alert topic — once a device in its scope has reported its metric
 * (the API refuses a rule on a metric nobody reports), and only when no rule with its id exists,
 * so a restarted demo keeps what an operator changed.
 */
import { createEvent } from "../../core/events/catalog.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import { getRule, type ReadModelStore } from "../../core/readmodels/mod.ts";
import { deviceMetrics } from "../../core/readmodels/device_metrics/mod.ts";
import type { Rule } from "../../core/rules/mod.ts";

export type DemoRule = Omit<Rule, "version">;

/** The demo's rules; `demoDeviceIds` are the devices the silence rule watches. */
export function demoRules(demoDeviceIds: readonly string[]): DemoRule[] {
  return [
    {
      ruleId: "demo-boiler-hot",
      name: "Boiler overheating",
      enabled: true,
      severity: "critical",
      scope: { devices: ["demo-boiler-1"] },
      condition: { kind: "threshold", metric: "temperature", op: ">", value: 80, forSeconds: 20 },
      clear: { hysteresis: 3 },
    },
    {
      ruleId: "demo-van-speeding",
      name: "Delivery van speeding",
      enabled: true,
      severity: "warning",
      scope: { devices: ["demo-tracker-1"] },
      condition: { kind: "threshold", metric: "speed", op: ">", value: 80, forSeconds: 10 },
      clear: { hysteresis: 10 },
    },
    {
      ruleId: "demo-device-silent",
      name: "Demo device silent",
      enabled: true,
      severity: "info",
      scope: { devices: [...demoDeviceIds] },
      condition: { kind: "absence", seconds: 120 },
    },
  ];
}

export interface DemoRulesDeps {
  log: EventLog;
  readModels: ReadModelStore;
  alertTopic: string;
  rules: readonly DemoRule[];
  /** How long to wait for a rule's metric to be reported before giving it up. Default 5 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });

/** True once a device in the rule's device scope (any device without one) reported its metric. */
async function metricReported(store: ReadModelStore, rule: DemoRule): Promise<boolean> {
  const metric = rule.condition.kind === "event" ? undefined : rule.condition.metric;
  if (metric === undefined) return true;
  const devices = rule.scope?.devices;
  const rows = await store.list(deviceMetrics, {
    where: [
      { field: "metric", op: "=", value: metric },
      ...(devices ? [{ field: "deviceId" as const, op: "in" as const, value: [...devices] }] : []),
    ],
    orderBy: [{ field: "deviceId" }],
    limit: 1,
  });
  return rows.length > 0;
}

/**
 * Defines each missing demo rule once its metric was reported; resolves with the ids it defined
 * (rules given up after `timeoutMs` or on abort are left out).
 */
export async function ensureDemoRules(deps: DemoRulesDeps): Promise<string[]> {
  const deadline = Date.now() + (deps.timeoutMs ?? 5 * 60_000);
  const defined: string[] = [];
  let waiting = [...deps.rules];
  while (waiting.length > 0 && !deps.signal?.aborted) {
    const later: DemoRule[] = [];
    for (const rule of waiting) {
      if (await getRule(deps.readModels, rule.ruleId)) continue;
      if (!await metricReported(deps.readModels, rule)) {
        later.push(rule);
        continue;
      }
      const event = createEvent("rule.defined", { ...rule, version: 1, by: "demo" }, {
        key: rule.ruleId,
        source: "demo",
      });
      await deps.log.append(deps.alertTopic, [toLogMessage(event)]);
      defined.push(rule.ruleId);
    }
    waiting = later;
    if (waiting.length === 0 || Date.now() > deadline) break;
    await sleep(500, deps.signal);
  }
  return defined;
}
