/**
 * @module
 * Test kit: in-memory fakes of the ports and the contract suites every adapter must pass.
 */
export { type ContractCase, eventLogContract, type EventLogFactory } from "./event_log_contract.ts";
export { createInMemoryEventLog } from "./in_memory_event_log.ts";
export { createInMemoryReadModelStore, type WriteFaults } from "./in_memory_read_model_store.ts";
export {
  batchOf,
  readModelsContract,
  type ReadModelsContractCase,
  type ReadModelsFactory,
} from "./read_models_contract.ts";
export {
  credential,
  type EventClock,
  eventClock,
  type EventInput,
  FIXTURE_EPOCH,
  fixtureTime,
} from "./read_model_fixtures.ts";
export { type ProjectionSpec, projectionSpec } from "./projection_spec.ts";
export { createInMemoryUserStore } from "./in_memory_user_store.ts";
export {
  userStoreContract,
  type UserStoreContractCase,
  type UserStoreFactory,
} from "./user_store_contract.ts";
export { createInMemoryTimeSeriesStore } from "./in_memory_time_series_store.ts";
export {
  timeSeriesContract,
  type TimeSeriesContractCase,
  type TimeSeriesStoreFactory,
} from "./time_series_contract.ts";
export {
  type BrokerLogin,
  createInMemoryBrokerAccounts,
  type InMemoryBrokerAccounts,
} from "./in_memory_broker_accounts.ts";
export {
  brokerAccountsContract,
  type BrokerAccountsContractCase,
  type BrokerAccountsFactory,
  type BrokerAccountsProbe,
} from "./broker_accounts_contract.ts";
export {
  deviceIdClaimsContract,
  type DeviceIdClaimsContractCase,
  type DeviceIdClaimsFactory,
} from "./device_id_claims_contract.ts";
export { createInMemoryWebhookStore } from "./in_memory_webhook_store.ts";
export {
  webhookStoreContract,
  type WebhookStoreContractCase,
  type WebhookStoreFactory,
} from "./webhook_store_contract.ts";
