/**
 * The API as its own service: the all-in-one composition with only the `api` role (HTTP API,
 * SSE live hub, dashboard), against the engines configured by AIOT_* variables. It runs no
 * projector: writes wait (up to 2 s) for a `readmodels` service to project them. Compose runs the
 * same image with `AIOT_ROLES=api`; this entry point is for running the API alone by hand.
 */
import { servePlatform } from "../infra/all_in_one/serve.ts";

await servePlatform({ roles: ["api"], demo: Deno.args.includes("--demo") });
