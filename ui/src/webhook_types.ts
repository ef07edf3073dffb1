/**
 * The event types a webhook may subscribe to: the catalog's names without the dead-letter family
 * (`input.rejected` carries raw device bytes; `core/webhooks/payload.ts` keeps it off webhooks).
 * The catalog itself would bundle zod, so the names come from `type_names.ts`;
 * `ui_alerts_e2e_test.ts` checks that the picker offers exactly the server's list.
 */
import { eventTypeNames } from "../../core/events/type_names.ts";

const NOT_DELIVERABLE: readonly string[] = ["input.rejected"];

export const WEBHOOK_EVENT_TYPES: readonly string[] = eventTypeNames.filter((t) =>
  !NOT_DELIVERABLE.includes(t)
);

/** Types grouped by their first name segment (`alert`, `device`, …), in catalog order. */
export function typeFamilies(types: readonly string[]): [string, string[]][] {
  const families = new Map<string, string[]>();
  for (const type of types) {
    const family = type.split(".")[0]!;
    families.set(family, [...(families.get(family) ?? []), type]);
  }
  return [...families];
}
