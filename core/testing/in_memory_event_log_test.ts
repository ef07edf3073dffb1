import { eventLogContract } from "./event_log_contract.ts";
import { createInMemoryEventLog } from "./in_memory_event_log.ts";

for (const c of eventLogContract) {
  Deno.test(`EventLog contract [memory] › ${c.name}`, () =>
    c.run({ newLog: () => Promise.resolve(createInMemoryEventLog()) }));
}
