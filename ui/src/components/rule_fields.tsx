/**
 * Every field of the rule editor: name, severity, enabled, the condition, scope (devices and
 * labels; empty means every device), clear hysteresis and command actions. Each field shows its
 * own error, whether the browser or the API found it.
 */
import { type ActionForm, SEVERITIES } from "../rule_form.ts";
import { ConditionFields, type FieldsProps } from "./condition_fields.tsx";
import { FieldError, invalidProps } from "./field_error.tsx";

export function RuleFields(props: FieldsProps) {
  const { form, errors, disabled, onChange } = props;
  const setAction = (i: number, patch: Partial<ActionForm>) =>
    onChange({ actions: form.actions.map((a, j) => (i === j ? { ...a, ...patch } : a)) });
  return (
    <div class="rule-fields">
      <fieldset class="rule-basics" disabled={disabled}>
        <legend>Rule</legend>
        <label class="wide">
          Name
          <input
            name="name"
            value={form.name}
            required
            onInput={(e) => onChange({ name: e.currentTarget.value })}
            {...invalidProps(errors, "name")}
          />
          <FieldError errors={errors} path="name" />
        </label>
        <label>
          Severity
          <select
            name="severity"
            value={form.severity}
            onChange={(e) => onChange({ severity: e.currentTarget.value as typeof form.severity })}
            {...invalidProps(errors, "severity")}
          >
            {SEVERITIES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
          <FieldError errors={errors} path="severity" />
        </label>
        <label class="check">
          <input
            type="checkbox"
            name="enabled"
            checked={form.enabled}
            onChange={(e) => onChange({ enabled: e.currentTarget.checked })}
          />
          Enabled
        </label>
      </fieldset>
      <ConditionFields {...props} />
      <fieldset class="scope" disabled={disabled}>
        <legend>Scope (empty: every device)</legend>
        <label>
          Devices
          <textarea
            name="devices"
            rows={2}
            placeholder="device ids, separated by commas or spaces"
            value={form.devices}
            spellcheck={false}
            onInput={(e) => onChange({ devices: e.currentTarget.value })}
            {...invalidProps(errors, "scope.devices")}
          />
          <FieldError errors={errors} path="scope.devices" />
        </label>
        <label>
          Labels
          <input
            name="labels"
            placeholder="site:north, kind:fridge"
            value={form.labels}
            spellcheck={false}
            onInput={(e) => onChange({ labels: e.currentTarget.value })}
            {...invalidProps(errors, "scope.labels")}
          />
          <FieldError errors={errors} path="scope.labels" />
        </label>
        <label>
          Clear hysteresis (optional)
          <input
            name="hysteresis"
            inputMode="decimal"
            placeholder="e.g. 1.5: clears only 1.5 below the threshold"
            value={form.hysteresis}
            onInput={(e) => onChange({ hysteresis: e.currentTarget.value })}
            {...invalidProps(errors, "clear.hysteresis")}
          />
          <FieldError errors={errors} path="clear.hysteresis" />
        </label>
      </fieldset>
      <fieldset class="actions" disabled={disabled}>
        <legend>Actions: commands sent to the device on a raise</legend>
        {form.actions.map((action, i) => (
          <div class="action-row" key={i} role="group" aria-label={`Action ${i + 1}`}>
            <label>
              Command name
              <input
                name={`action-${i}-name`}
                value={action.name}
                placeholder="close_valve"
                onInput={(e) =>
                  setAction(i, { name: e.currentTarget.value })}
                {...invalidProps(errors, `actions.${i}.name`)}
              />
              <FieldError errors={errors} path={`actions.${i}.name`} />
            </label>
            <label>
              Parameters (JSON, optional)
              <input
                name={`action-${i}-params`}
                value={action.params}
                placeholder='{"position": 0}'
                spellcheck={false}
                onInput={(e) =>
                  setAction(i, { params: e.currentTarget.value })}
                {...invalidProps(errors, `actions.${i}.params`)}
              />
              <FieldError errors={errors} path={`actions.${i}.params`} />
            </label>
            <button
              type="button"
              class="secondary"
              onClick={() =>
                onChange({
                  actions: form.actions.filter((_, j) =>
                    j !== i
                  ),
                })}
            >
              Remove
            </button>
          </div>
        ))}
        <button
          type="button"
          class="secondary"
          onClick={() => onChange({ actions: [...form.actions, { name: "", params: "" }] })}
        >
          Add command action
        </button>
      </fieldset>
    </div>
  );
}
