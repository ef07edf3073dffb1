import { createInMemoryReadModels } from "./in_memory_read_models.ts";
import { readModelsContract } from "./read_models_contract.ts";

for (const c of readModelsContract) {
  Deno.test(`ReadModels contract [memory] › ${c.name}`, () =>
    c.run({ newReadModels: (faults) => Promise.resolve(createInMemoryReadModels(faults)) }));
}
