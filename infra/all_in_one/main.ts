/**
 * The all-in-one AIOT process: every part in one process with embedded engines by default
 * (SQLite files under AIOT_DATA_DIR), or production engines where their URLs are configured.
 * `--demo` adds a few emulated devices on the process's own broker.
 */
import { servePlatform } from "./serve.ts";

await servePlatform({ demo: Deno.args.includes("--demo") });
