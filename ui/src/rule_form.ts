/**
 * The rule editor's form state (text, as typed) and its translation to and from a rule body.
 * Input the browser can already tell is wrong (a number that is not one, parameters that are not
 * JSON) is reported with the same dotted paths as the API's 400 details, so both kinds of error
 * show next to the same field.
 */
import type { FieldIssue, JsonObject } from "./api_client.ts";
import type { Comparison, Rule, RuleBody, RuleCondition, Severity } from "./rules_api_types.ts";

export const CONDITION_KINDS = ["threshold", "range", "rate", "event", "absence"] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];
export const COMPARISONS: readonly Comparison[] = [">", ">=", "<", "<=", "==", "!="];
export const SEVERITIES: readonly Severity[] = ["info", "warning", "critical"];

export interface ActionForm {
  name: string;
  /** JSON object text; empty for none. */
  params: string;
}

export interface RuleForm {
  name: string;
  enabled: boolean;
  severity: Severity;
  kind: ConditionKind;
  metric: string;
  op: Comparison;
  value: string;
  min: string;
  max: string;
  forSeconds: string;
  eventType: string;
  seconds: string;
  /** Device ids separated by commas, spaces or new lines. */
  devices: string;
  /** `key:value` pairs separated by commas or new lines. */
  labels: string;
  hysteresis: string;
  actions: ActionForm[];
}

export function emptyRuleForm(): RuleForm {
  return {
    name: "",
    enabled: true,
    severity: "warning",
    kind: "threshold",
    metric: "",
    op: ">",
    value: "",
    min: "",
    max: "",
    forSeconds: "",
    eventType: "",
    seconds: "",
    devices: "",
    labels: "",
    hysteresis: "",
    actions: [],
  };
}

/** The form showing a saved rule. */
export function ruleToForm(rule: Rule | RuleBody): RuleForm {
  const form = {
    ...emptyRuleForm(),
    name: rule.name,
    enabled: rule.enabled ?? true,
    severity: rule.severity,
  };
  const c = rule.condition;
  form.kind = c.kind;
  if ("metric" in c && c.metric !== undefined) form.metric = c.metric;
  if (c.kind === "threshold" || c.kind === "rate") {
    form.op = c.op;
    form.value = String(c.value);
  }
  if (c.kind === "range") [form.min, form.max] = [String(c.min), String(c.max)];
  if ((c.kind === "threshold" || c.kind === "range") && c.forSeconds !== undefined) {
    form.forSeconds = String(c.forSeconds);
  }
  if (c.kind === "event") form.eventType = c.type;
  if (c.kind === "absence") form.seconds = String(c.seconds);
  form.devices = (rule.scope?.devices ?? []).join(", ");
  form.labels = Object.entries(rule.scope?.labels ?? {}).map(([k, v]) => `${k}:${v}`).join(", ");
  if (rule.clear?.hysteresis !== undefined) form.hysteresis = String(rule.clear.hysteresis);
  form.actions = (rule.actions ?? []).map((a) => ({
    name: a.name,
    params: a.params === undefined ? "" : JSON.stringify(a.params),
  }));
  return form;
}

export type FormResult = { body: RuleBody; issues?: undefined } | { body?: undefined; issues: FieldIssue[] };

/** The rule body for `POST /rules`, `PUT /rules/{id}` and the backtest, or what is wrong with the form. */
export function formToRule(form: RuleForm): FormResult {
  const issues: FieldIssue[] = [];
  const number = (text: string, path: string, options: { optional?: boolean } = {}) => {
    const trimmed = text.trim();
    if (trimmed === "" && options.optional) return undefined;
    const value = Number(trimmed);
    if (trimmed === "" || !Number.isFinite(value)) {
      issues.push({ path, message: trimmed === "" ? "required" : "expected a number" });
      return 0;
    }
    return value;
  };
  const metric = form.metric.trim();
  const forSeconds = number(form.forSeconds, "condition.forSeconds", { optional: true });
  const withFor = forSeconds === undefined ? {} : { forSeconds };
  let condition: RuleCondition;
  switch (form.kind) {
    case "threshold":
      condition = { kind: "threshold", metric, op: form.op, value: thresholdValue(form, number), ...withFor };
      break;
    case "range":
      condition = {
        kind: "range",
        metric,
        min: number(form.min, "condition.min")!,
        max: number(form.max, "condition.max")!,
        ...withFor,
      };
      break;
    case "rate":
      condition = { kind: "rate", metric, op: form.op, value: number(form.value, "condition.value")! };
      break;
    case "event":
      condition = { kind: "event", type: form.eventType.trim() };
      break;
    case "absence":
      condition = {
        kind: "absence",
        ...(metric ? { metric } : {}),
        seconds: number(form.seconds, "condition.seconds")!,
      };
      break;
  }
  const devices = form.devices.split(/[\s,]+/).filter(Boolean);
  const labels = parseLabels(form.labels, issues);
  const hysteresis = number(form.hysteresis, "clear.hysteresis", { optional: true });
  const actions = form.actions.map((action, i) => {
    const params = parseParams(action.params, `actions.${i}.params`, issues);
    return { kind: "command" as const, name: action.name.trim(), ...(params ? { params } : {}) };
  });
  if (issues.length) return { issues };
  const scope = {
    ...(devices.length ? { devices } : {}),
    ...(Object.keys(labels).length ? { labels } : {}),
  };
  return {
    body: {
      name: form.name.trim(),
      enabled: form.enabled,
      severity: form.severity,
      condition,
      ...(Object.keys(scope).length ? { scope } : {}),
      ...(hysteresis === undefined ? {} : { clear: { hysteresis } }),
      ...(actions.length ? { actions } : {}),
    },
  };
}

/**
 * A threshold compares numbers with `<`/`>`; `==`/`!=` may also compare a boolean or a string
 * (`mode == eco`), typed as it would be in the telemetry.
 */
function thresholdValue(
  form: RuleForm,
  number: (text: string, path: string) => number | undefined,
): number | boolean | string {
  const text = form.value.trim();
  if (form.op === "==" || form.op === "!=") {
    if (text === "true" || text === "false") return text === "true";
    if (text !== "" && Number.isFinite(Number(text))) return Number(text);
    if (text !== "") return text;
  }
  return number(text, "condition.value")!;
}

function parseLabels(text: string, issues: FieldIssue[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(/[,\n]+/).map((p) => p.trim()).filter(Boolean)) {
    const at = pair.indexOf(":");
    if (at <= 0) {
      issues.push({ path: "scope.labels", message: `"${pair}" is not key:value` });
      continue;
    }
    labels[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return labels;
}

function parseParams(text: string, path: string, issues: FieldIssue[]): JsonObject | undefined {
  if (!text.trim()) return undefined;
  try {
    const value = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return value as JsonObject;
    issues.push({ path, message: "expected a JSON object" });
  } catch (e) {
    issues.push({ path, message: `not JSON: ${(e as Error).message}` });
  }
  return undefined;
}

/**
 * Field errors by field, for showing each next to its field. An issue lands on the nearest field
 * the form shows (`scope.devices.2` on `scope.devices`); the paths of a backtest request start
 * with `rule.` (its body is `{"rule": …}`), dropped so they land on the same fields. Anything
 * else is kept under "" (shown at the top of the form), with its path.
 */
export function issuesByField(
  issues: readonly FieldIssue[],
  fields: ReadonlySet<string>,
): Map<string, string> {
  const byField = new Map<string, string>();
  for (const issue of issues) {
    const path = issue.path.replace(/^rule\./, "");
    const segments = path.split(".");
    while (segments.length && !fields.has(segments.join("."))) segments.pop();
    const key = segments.join(".");
    const message = key === "" && path !== "" ? `${path}: ${issue.message}` : issue.message;
    byField.set(key, byField.has(key) ? `${byField.get(key)}; ${message}` : message);
  }
  return byField;
}

/** The fields the editor shows for `form`, by their API path. */
export function formFields(form: RuleForm): Set<string> {
  const fields = ["name", "enabled", "severity", "condition.kind", "scope.devices", "scope.labels"];
  fields.push("clear.hysteresis");
  const byKind: Record<ConditionKind, string[]> = {
    threshold: ["metric", "op", "value", "forSeconds"],
    range: ["metric", "min", "max", "forSeconds"],
    rate: ["metric", "op", "value"],
    event: ["type"],
    absence: ["metric", "seconds"],
  };
  fields.push(...byKind[form.kind].map((f) => `condition.${f}`));
  form.actions.forEach((_, i) => fields.push(`actions.${i}.name`, `actions.${i}.params`));
  return new Set(fields);
}

/** A condition in a few words: "temperature > 30 for 60 s", "no telemetry for 300 s". */
export function describeCondition(c: RuleCondition): string {
  const lasting = "forSeconds" in c && c.forSeconds ? ` for ${c.forSeconds} s` : "";
  switch (c.kind) {
    case "threshold":
      return `${c.metric} ${c.op} ${JSON.stringify(c.value)}${lasting}`;
    case "range":
      return `${c.metric} outside [${c.min}, ${c.max}]${lasting}`;
    case "rate":
      return `${c.metric} changes ${c.op} ${c.value}/s`;
    case "event":
      return `event ${c.type}`;
    case "absence":
      return `no ${c.metric ?? "telemetry"} for ${c.seconds} s`;
  }
}

/** The scope in a few words: "every device", "3 devices", "site:north". */
export function describeScope(scope: RuleBody["scope"]): string {
  const parts: string[] = [];
  const devices = scope?.devices ?? [];
  if (devices.length) parts.push(devices.length <= 2 ? devices.join(", ") : `${devices.length} devices`);
  parts.push(...Object.entries(scope?.labels ?? {}).map(([k, v]) => `${k}:${v}`));
  return parts.length ? parts.join(" · ") : "every device";
}
