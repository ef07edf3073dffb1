import { createInMemoryTimeSeriesStore } from "./in_memory_time_series_store.ts";
import { timeSeriesContract } from "./time_series_contract.ts";

for (const c of timeSeriesContract) {
  Deno.test(`TimeSeriesStore contract [memory] › ${c.name}`, () =>
    c.run({ newStore: () => Promise.resolve(createInMemoryTimeSeriesStore()) }));
}
