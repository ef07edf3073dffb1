import { createInMemoryUserStore } from "./in_memory_user_store.ts";
import { userStoreContract } from "./user_store_contract.ts";

for (const c of userStoreContract) {
  Deno.test(`UserStore contract [memory] › ${c.name}`, () =>
    c.run(() => Promise.resolve(createInMemoryUserStore())));
}
