import assert from "node:assert/strict";
import { eventCatalog } from "./catalog.ts";
import { eventTypeNames } from "./type_names.ts";

Deno.test("eventTypeNames lists the catalog's event types in catalog order", () => {
  assert.deepEqual([...eventTypeNames], Object.keys(eventCatalog));
});
