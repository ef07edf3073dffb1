/**
 * Serves the built dashboard (`ui/dist`: index.html, app.js, app.css) at `/`, with the same
 * security headers as the API. The files are read once into memory — three small files, served
 * with `no-cache` so a rebuilt UI is picked up by the next page load after a restart.
 * A shipped build (`deno task compile`: `ui/dist` embedded in the binary, or unpacked beside the
 * app without `ui/src`) is served as it is: there are no sources to rebuild it from.
 */
import { CONTENT_SECURITY_POLICY } from "../../api/middleware/security_headers.ts";
import { buildUi, UI_DIST_DIR, uiSourcesChangedSince } from "../../ui/build.ts";

const FILES = {
  "/index.html": "text/html; charset=utf-8",
  "/app.js": "text/javascript; charset=utf-8",
  "/app.css": "text/css; charset=utf-8",
} as const;

export type UiHandler = (request: Request) => Response | undefined;

/**
 * Loads the dashboard from `distDir`, building it first when it is missing or older than the
 * UI sources (so a checkout never serves a stale bundle). Without the sources (a compiled binary,
 * whose `ui/dist` is in its embedded file system), `distDir` is served as shipped.
 * The handler answers GET/HEAD of `/`, `/index.html`, `/app.js` and `/app.css`; anything else is
 * `undefined`, for the API to answer.
 */
export async function loadUi(distDir = UI_DIST_DIR): Promise<UiHandler> {
  if (await hasUiSources()) {
    const built = await Deno.stat(`${distDir}/index.html`).then((s) => s.mtime, () => null);
    if (!built || await uiSourcesChangedSince(built)) await buildUi({ outDir: distDir });
  } else if (!await Deno.stat(`${distDir}/index.html`).then(() => true, () => false)) {
    throw new Error(`No dashboard to serve: ${distDir}/index.html is missing and there are no UI sources`);
  }
  const bodies = new Map<string, { body: Uint8Array<ArrayBuffer>; type: string }>();
  for (const [path, type] of Object.entries(FILES)) {
    bodies.set(path, { body: await Deno.readFile(`${distDir}${path}`), type });
  }
  return handler(bodies);
}

/**
 * Whether the UI sources are here to build from. Never in a compiled binary: `deno bundle` needs
 * the Deno CLI, which `Deno.execPath()` is not there.
 */
async function hasUiSources(): Promise<boolean> {
  if (Deno.build.standalone) return false;
  return await Deno.stat(new URL("../../ui/src/main.tsx", import.meta.url)).then(() => true, () => false);
}

function handler(bodies: Map<string, { body: Uint8Array<ArrayBuffer>; type: string }>): UiHandler {
  return (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") return undefined;
    const path = new URL(request.url).pathname;
    const file = bodies.get(path === "/" ? "/index.html" : path);
    if (!file) return undefined;
    return new Response(request.method === "HEAD" ? null : file.body, {
      headers: {
        "content-type": file.type,
        "cache-control": "no-cache",
        "content-security-policy": CONTENT_SECURITY_POLICY,
        "referrer-policy": "no-referrer-when-downgrade",
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
      },
    });
  };
}
