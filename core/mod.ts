/**
 * @module
 * AIOT core: pure TypeScript with no I/O. Import from the subpath modules:
 * `core/events/mod.ts` (event catalog, envelope, codec), `core/log/mod.ts` (EventLog port),
 * `core/processing/mod.ts` (processor model and runner), `core/testing/mod.ts` (fakes and contract
 * suites) and `core/errors.ts`.
 */
export { ConflictError, InfrastructureError, isRetriable, NotFoundError, ValidationError } from "./errors.ts";
