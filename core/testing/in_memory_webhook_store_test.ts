import { createInMemoryWebhookStore } from "./in_memory_webhook_store.ts";
import { webhookStoreContract } from "./webhook_store_contract.ts";

for (const c of webhookStoreContract) {
  Deno.test(`WebhookStore contract [memory] › ${c.name}`, () =>
    c.run(() => Promise.resolve(createInMemoryWebhookStore())));
}
