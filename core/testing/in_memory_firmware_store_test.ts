import { firmwareStoreContract } from "./firmware_store_contract.ts";
import { createInMemoryFirmwareStore } from "./in_memory_firmware_store.ts";

for (const c of firmwareStoreContract) {
  Deno.test(`in-memory firmware store: ${c.name}`, () => c.run(createInMemoryFirmwareStore()));
}
