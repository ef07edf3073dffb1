/**
 * The condition of a rule: its kind and the fields that kind has (design.md §9): threshold and
 * range with an optional duration, rate of change per second, a device event type, absence.
 */
import { COMPARISONS, CONDITION_KINDS, type ConditionKind, type RuleForm } from "../rule_form.ts";
import { FieldError, type FieldErrors, invalidProps } from "./field_error.tsx";

const KIND_LABELS: Record<ConditionKind, string> = {
  threshold: "Threshold",
  range: "Outside a range",
  rate: "Rate of change",
  event: "Device event",
  absence: "Absence",
};

export interface FieldsProps {
  form: RuleForm;
  errors: FieldErrors;
  disabled: boolean;
  onChange(patch: Partial<RuleForm>): void;
}

export function ConditionFields({ form, errors, disabled, onChange }: FieldsProps) {
  const text = (key: keyof RuleForm, path: string, label: string, extra: Record<string, unknown> = {}) => (
    <label>
      {label}
      <input
        name={key}
        value={String(form[key])}
        disabled={disabled}
        onInput={(e) => onChange({ [key]: e.currentTarget.value })}
        {...invalidProps(errors, path)}
        {...extra}
      />
      <FieldError errors={errors} path={path} />
    </label>
  );
  const number = { inputMode: "decimal", spellcheck: false };
  const kind = form.kind;
  return (
    <fieldset class="condition" disabled={disabled}>
      <legend>Condition</legend>
      <label>
        Kind
        <select
          name="kind"
          value={kind}
          onChange={(e) => onChange({ kind: e.currentTarget.value as ConditionKind })}
          {...invalidProps(errors, "condition.kind")}
        >
          {CONDITION_KINDS.map((k) => <option key={k} value={k}>{KIND_LABELS[k]}</option>)}
        </select>
        <FieldError errors={errors} path="condition.kind" />
      </label>
      {kind !== "event" &&
        text("metric", "condition.metric", kind === "absence" ? "Metric (optional: any)" : "Metric", {
          placeholder: "temperature",
          spellcheck: false,
        })}
      {(kind === "threshold" || kind === "rate") && (
        <label>
          Operator
          <select
            name="op"
            value={form.op}
            onChange={(e) => onChange({ op: e.currentTarget.value as RuleForm["op"] })}
            {...invalidProps(errors, "condition.op")}
          >
            {COMPARISONS.map((op) => <option key={op} value={op}>{op}</option>)}
          </select>
          <FieldError errors={errors} path="condition.op" />
        </label>
      )}
      {kind === "threshold" &&
        text("value", "condition.value", "Value", { placeholder: "30", spellcheck: false })}
      {kind === "rate" && text("value", "condition.value", "Change per second", number)}
      {kind === "range" && text("min", "condition.min", "Minimum", number)}
      {kind === "range" && text("max", "condition.max", "Maximum", number)}
      {(kind === "threshold" || kind === "range") &&
        text("forSeconds", "condition.forSeconds", "For (seconds, optional)", {
          ...number,
          placeholder: "0",
        })}
      {kind === "event" &&
        text("eventType", "condition.type", "Event type", { placeholder: "door.opened", spellcheck: false })}
      {kind === "absence" && text("seconds", "condition.seconds", "Silent for (seconds)", number)}
    </fieldset>
  );
}
