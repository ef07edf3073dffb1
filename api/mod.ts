/**
 * @module
 * The AIOT HTTP API as a Hono app factory. `createApp(deps)` imports only `core`; `main.ts`
 * files wire adapters into it.
 */
export { type AppDeps, createApp, type ReadinessCheck } from "./app.ts";
