/**
 * Choosing the event types of a webhook, grouped by family (`alert`, `device`, `command`, …) as
 * the catalog names them: a checkbox per type, and one per family to take all of it.
 */
import { typeFamilies, WEBHOOK_EVENT_TYPES } from "../webhook_types.ts";

const FAMILIES = typeFamilies(WEBHOOK_EVENT_TYPES);

export interface EventTypePickerProps {
  selected: ReadonlySet<string>;
  onChange(selected: Set<string>): void;
}

export function EventTypePicker({ selected, onChange }: EventTypePickerProps) {
  const toggle = (types: readonly string[], on: boolean) => {
    const next = new Set(selected);
    for (const type of types) {
      if (on) next.add(type);
      else next.delete(type);
    }
    onChange(next);
  };
  return (
    <div class="type-picker">
      {FAMILIES.map(([family, types]) => {
        const all = types.every((t) => selected.has(t));
        return (
          <fieldset key={family}>
            <legend>
              <label class="check">
                <input
                  type="checkbox"
                  checked={all}
                  onChange={(e) => toggle(types, e.currentTarget.checked)}
                  aria-label={`All ${family} events`}
                />
                {family}
              </label>
            </legend>
            {types.map((type) => (
              <label class="check" key={type}>
                <input
                  type="checkbox"
                  name="types"
                  value={type}
                  checked={selected.has(type)}
                  onChange={(e) => toggle([type], e.currentTarget.checked)}
                />
                {type}
              </label>
            ))}
          </fieldset>
        );
      })}
    </div>
  );
}
