/**
 * Checks that a rule can ever fire before it is saved or backtested: its scope names devices that
 * exist (or labels some device carries) and its metric is one that some device reports. A 400
 * names the field, so a typo in a metric or a label is caught at once, not after a silent week.
 */
import { ValidationError } from "../../core/errors.ts";
import { getDevice, listDevices, type ReadModelStore } from "../../core/readmodels/mod.ts";
import { deviceMetrics } from "../../core/readmodels/device_metrics/mod.ts";
import type { RuleCondition } from "../../core/rules/mod.ts";

interface Scope {
  devices?: readonly string[] | undefined;
  labels?: Readonly<Record<string, string>> | undefined;
}

/** How many pages of a label's devices are searched for one that carries every label. */
const LABEL_PAGES = 20;

const invalid = (path: string, message: string) =>
  new ValidationError(`Invalid rule: ${path}: ${message}`, { details: [{ path, message }] });

async function someDeviceHasLabels(store: ReadModelStore, labels: Readonly<Record<string, string>>) {
  const [first, ...others] = Object.entries(labels);
  if (!first) return true;
  let cursor: string | undefined;
  for (let page = 0; page < LABEL_PAGES; page++) {
    const result = await listDevices(store, {
      label: { key: first[0], value: first[1] },
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    if (result.items.some((d) => others.every(([k, v]) => d.labels?.[k] === v))) return true;
    if (!result.next) return false;
    cursor = result.next;
  }
  return true; // too many to search: give the operator the benefit of the doubt
}

/** Throws a `ValidationError` naming `scope.devices.N`, `scope` or `condition.metric`. */
export async function checkRuleTargets(
  store: ReadModelStore,
  rule: { scope?: Scope | undefined; condition: RuleCondition },
  prefix = "",
): Promise<void> {
  const devices = rule.scope?.devices ?? [];
  for (let i = 0; i < devices.length; i += 100) {
    const found = await Promise.all(devices.slice(i, i + 100).map((id) => getDevice(store, id)));
    const missing = found.findIndex((d) => d === undefined);
    if (missing >= 0) {
      throw invalid(`${prefix}scope.devices.${i + missing}`, `no device "${devices[i + missing]}"`);
    }
  }
  const labels = rule.scope?.labels;
  if (labels && devices.length === 0 && !await someDeviceHasLabels(store, labels)) {
    throw invalid(`${prefix}scope`, "no device carries these labels");
  }
  const metric = rule.condition.kind === "event" ? undefined : rule.condition.metric;
  if (metric !== undefined) {
    const reported = await store.list(deviceMetrics, {
      where: [
        { field: "metric", op: "=", value: metric },
        ...(devices.length > 0 && devices.length <= 500
          ? [{ field: "deviceId" as const, op: "in" as const, value: [...devices] }]
          : []),
      ],
      orderBy: [{ field: "deviceId" }],
      limit: 1,
    });
    if (reported.length === 0) {
      throw invalid(
        `${prefix}condition.metric`,
        `no device${devices.length ? " in scope" : ""} reports "${metric}"`,
      );
    }
  }
}
