/**
 * @module
 * Test kit: in-memory fakes of the ports and the contract suites every adapter must pass.
 */
export { type ContractCase, eventLogContract, type EventLogFactory } from "./event_log_contract.ts";
export { createInMemoryEventLog } from "./in_memory_event_log.ts";
