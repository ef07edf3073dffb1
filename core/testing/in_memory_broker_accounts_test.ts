import { brokerAccountsContract } from "./broker_accounts_contract.ts";
import { createInMemoryBrokerAccounts } from "./in_memory_broker_accounts.ts";

for (const c of brokerAccountsContract) {
  Deno.test(`BrokerAccounts contract [memory] › ${c.name}`, () =>
    c.run(() => {
      const accounts = createInMemoryBrokerAccounts();
      return Promise.resolve({
        accounts,
        canPublish: (...args) => Promise.resolve(accounts.canPublish(...args)),
        close: () => Promise.resolve(),
      });
    }));
}
