/**
 * A minimal process serving only what a firmware download needs — the API app over in-memory
 * stores with the real file firmware store — for the download memory test and the download
 * benchmark, so the numbers are the route's and not the whole platform's. Prints
 * `{"base", "token", "pid"}` (an operator's bearer token) on stdout once it listens.
 *
 * Usage: deno run --allow-all infra/all_in_one/_firmware_server.ts <firmware dir> <key base64>
 */
import { createDownloadSigner } from "../../core/firmware/mod.ts";
import { createTestApp } from "../../api/_test_app.ts";
import { openFileFirmwareStore } from "../firmware/mod.ts";

const [dir, keyBase64] = Deno.args;
if (!dir || !keyBase64) throw new TypeError("usage: _firmware_server.ts <firmware dir> <key base64>");
const key = Uint8Array.from(atob(keyBase64), (c) => c.charCodeAt(0));
const t = await createTestApp({
  now: Date.now,
  firmware: {
    store: await openFileFirmwareStore(dir),
    signer: await createDownloadSigner(key),
    maxBytes: 1024 ** 3,
  },
});
const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen: () => {} },
  (request, info) => t.app.fetch(request, info),
);
console.log(
  JSON.stringify({ base: `http://127.0.0.1:${server.addr.port}`, token: t.tokens.operator, pid: Deno.pid }),
);
