import { createInMemoryReadModelStore } from "./in_memory_read_model_store.ts";
import { readModelsContract } from "./read_models_contract.ts";

for (const c of readModelsContract) {
  Deno.test(`ReadModelStore contract [memory] › ${c.name}`, () =>
    c.run({ newReadModels: (faults) => Promise.resolve(createInMemoryReadModelStore(faults)) }));
}
