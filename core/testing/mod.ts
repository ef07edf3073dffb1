/**
 * @module
 * Test kit: in-memory fakes of the ports and the contract suites every adapter must pass.
 */
export { type ContractCase, eventLogContract, type EventLogFactory } from "./event_log_contract.ts";
export { createInMemoryEventLog } from "./in_memory_event_log.ts";
export { createInMemoryReadModels, type ReadModelTable, type WriteFaults } from "./in_memory_read_models.ts";
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
