/**
 * @module
 * The AIOT HTTP API as a Hono app factory. `createApp(deps)` imports only `core`; `main.ts`
 * files wire adapters into it. The route declarations also produce `/api/v1/openapi.json`.
 */
export { apiRoutes, createApp } from "./app.ts";
export type {
  AppDeps,
  HealthDeps,
  LiveFilter,
  LiveRequest,
  ReadinessCheck,
  RequestSample,
  SecurityOptions,
} from "./deps.ts";
export { type Principal } from "./auth/principal.ts";
export { waitForProjection } from "./projection_wait.ts";
