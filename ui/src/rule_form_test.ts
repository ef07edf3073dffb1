import assert from "node:assert/strict";
import {
  describeCondition,
  emptyRuleForm,
  formFields,
  formToRule,
  issuesByField,
  type RuleForm,
  ruleToForm,
} from "./rule_form.ts";
import type { RuleBody } from "./rules_api_types.ts";

const form = (patch: Partial<RuleForm>): RuleForm => ({ ...emptyRuleForm(), name: "Hot", ...patch });

Deno.test("formToRule() builds a threshold rule with scope, hysteresis and a command action", () => {
  const result = formToRule(form({
    metric: " temperature ",
    op: ">",
    value: "30",
    forSeconds: "60",
    severity: "critical",
    devices: "a, b\nc",
    labels: "site:north, kind: fridge",
    hysteresis: "1.5",
    actions: [{ name: "close_valve", params: '{"position": 0}' }],
  }));
  assert.deepEqual(result.body, {
    name: "Hot",
    enabled: true,
    severity: "critical",
    condition: { kind: "threshold", metric: "temperature", op: ">", value: 30, forSeconds: 60 },
    scope: { devices: ["a", "b", "c"], labels: { site: "north", kind: "fridge" } },
    clear: { hysteresis: 1.5 },
    actions: [{ kind: "command", name: "close_valve", params: { position: 0 } }],
  });
});

Deno.test("formToRule() leaves out what is empty: no scope, clear, actions or forSeconds", () => {
  const { body } = formToRule(form({ metric: "t", value: "1" }));
  assert.deepEqual(body, {
    name: "Hot",
    enabled: true,
    severity: "warning",
    condition: { kind: "threshold", metric: "t", op: ">", value: 1 },
  });
});

Deno.test("formToRule() builds each condition kind with only its own fields", () => {
  const condition = (patch: Partial<RuleForm>) => formToRule(form(patch)).body?.condition;
  assert.deepEqual(condition({ kind: "range", metric: "t", min: "-5", max: "8", forSeconds: "0" }), {
    kind: "range",
    metric: "t",
    min: -5,
    max: 8,
    forSeconds: 0,
  });
  assert.deepEqual(condition({ kind: "rate", metric: "t", op: ">=", value: "0.5", forSeconds: "9" }), {
    kind: "rate",
    metric: "t",
    op: ">=",
    value: 0.5,
  });
  assert.deepEqual(condition({ kind: "event", eventType: "door.opened", metric: "t" }), {
    kind: "event",
    type: "door.opened",
  });
  assert.deepEqual(condition({ kind: "absence", seconds: "300" }), { kind: "absence", seconds: 300 });
  assert.deepEqual(condition({ kind: "absence", metric: "t", seconds: "300" }), {
    kind: "absence",
    metric: "t",
    seconds: 300,
  });
});

Deno.test("formToRule() types an equality threshold as the telemetry would: boolean, number or text", () => {
  const value = (op: RuleForm["op"], text: string) => {
    const c = formToRule(form({ metric: "m", op, value: text })).body?.condition;
    return c?.kind === "threshold" ? c.value : undefined;
  };
  assert.equal(value("==", "true"), true);
  assert.equal(value("!=", "4"), 4);
  assert.equal(value("==", "eco"), "eco");
  assert.deepEqual(formToRule(form({ metric: "m", op: ">", value: "eco" })).issues, [
    { path: "condition.value", message: "expected a number" },
  ]);
});

Deno.test("formToRule() names every field it cannot read by its API path", () => {
  const { issues } = formToRule(form({
    kind: "range",
    min: "",
    max: "x",
    labels: "nolabel",
    hysteresis: "NaN",
    actions: [{ name: "a", params: "[1]" }, { name: "b", params: "{" }],
  }));
  assert.deepEqual(issues?.map((i) => i.path), [
    "condition.min",
    "condition.max",
    "scope.labels",
    "clear.hysteresis",
    "actions.0.params",
    "actions.1.params",
  ]);
});

Deno.test("ruleToForm() and formToRule() round-trip a saved rule", () => {
  const rule: RuleBody = {
    name: "Cold",
    enabled: false,
    severity: "info",
    condition: { kind: "range", metric: "t", min: 2, max: 8, forSeconds: 30 },
    scope: { devices: ["x"], labels: { site: "s" } },
    clear: { hysteresis: 0.5 },
    actions: [{ kind: "command", name: "alarm", params: { on: true } }],
  };
  assert.deepEqual(formToRule(ruleToForm({ ...rule, id: "r1", version: 3 } as RuleBody)).body, rule);
});

Deno.test("issuesByField() puts each API issue on the nearest field shown, the rest on top", () => {
  const shown = formFields(form({ actions: [{ name: "", params: "" }] }));
  const byField = issuesByField([
    { path: "rule.condition.value", message: "expected a number" },
    { path: "scope.devices.2", message: "unknown device" },
    { path: "scope.devices", message: "empty" },
    { path: "actions.0.name", message: "required" },
    { path: "condition.min", message: "not for a threshold" },
    { path: "", message: "bad" },
  ], shown);
  assert.deepEqual(Object.fromEntries(byField), {
    "condition.value": "expected a number",
    "scope.devices": "unknown device; empty",
    "actions.0.name": "required",
    "": "condition.min: not for a threshold; bad",
  });
});

Deno.test("describeCondition() reads like the rule", () => {
  assert.equal(
    describeCondition({ kind: "threshold", metric: "t", op: ">", value: 30, forSeconds: 60 }),
    "t > 30 for 60 s",
  );
  assert.equal(describeCondition({ kind: "absence", seconds: 300 }), "no telemetry for 300 s");
});
