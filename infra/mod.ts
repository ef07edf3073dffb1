/**
 * @module
 * AIOT infrastructure: adapters that implement core ports, configuration and lifecycle.
 * Composition roots import the adapter modules directly (`infra/sqlite/…`, `infra/kafka/mod.ts`).
 */
export { type AiotConfig, loadConfig } from "./config/config.ts";
export { openEventLog } from "./event_log_from_config.ts";
