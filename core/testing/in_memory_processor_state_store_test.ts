import { createInMemoryProcessorStateStore } from "./in_memory_processor_state_store.ts";
import { processorStateStoreContract } from "./processor_state_store_contract.ts";

for (
  const { name, fn } of processorStateStoreContract(() =>
    Promise.resolve({
      store: createInMemoryProcessorStateStore(),
    })
  )
) {
  Deno.test(`in-memory processor state: ${name}`, fn);
}
