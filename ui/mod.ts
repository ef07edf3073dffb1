/**
 * @module
 * The AIOT dashboard: a Preact single-page app (`src/main.tsx`) bundled for the browser by
 * `build.ts` (`deno task ui:build` → `ui/dist/`) and served by the all-in-one at `/`.
 * Imports only types from `api/` and `core/`. Other code needs only the build.
 */
export { buildUi, UI_DIST_DIR, uiSourcesChangedSince } from "./build.ts";
