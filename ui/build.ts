/**
 * Builds the dashboard into `ui/dist/`: `app.js` (the Preact app and uPlot, bundled for the
 * browser by `deno bundle`), `app.css` (uPlot's stylesheet + ours) and `index.html`.
 * `deno task ui:build` runs it; the all-in-one calls `buildUi()` when `ui/dist` is missing.
 */

const UI_DIR: string = new URL(".", import.meta.url).pathname;
export const UI_DIST_DIR: string = `${UI_DIR}dist`;

/** Builds into `outDir` (default `ui/dist`); throws with deno bundle's output when it fails. */
export async function buildUi(options: { outDir?: string; minify?: boolean } = {}): Promise<string> {
  const outDir = options.outDir ?? UI_DIST_DIR;
  await Deno.mkdir(outDir, { recursive: true });
  const args = ["bundle", "--quiet", "--platform=browser", "--format=esm", "-o", `${outDir}/app.js`];
  if (options.minify ?? true) args.push("--minify");
  args.push(`${UI_DIR}src/main.tsx`);
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: `${UI_DIR}..`,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`Cannot bundle the UI: ${new TextDecoder().decode(stderr)}`);
  const uplotCss = await Deno.readTextFile(new URL(import.meta.resolve("uplot/dist/uPlot.min.css")));
  await Deno.writeTextFile(
    `${outDir}/app.css`,
    `${uplotCss}\n${await Deno.readTextFile(`${UI_DIR}app.css`)}`,
  );
  await Deno.copyFile(`${UI_DIR}index.html`, `${outDir}/index.html`);
  return outDir;
}

/** Whether any UI source (src/, app.css, index.html) was modified after `time`. */
export async function uiSourcesChangedSince(time: Date): Promise<boolean> {
  const newer = async (path: string): Promise<boolean> => {
    const info = await Deno.stat(path);
    if (info.isFile) return (info.mtime ?? time) > time;
    for await (const entry of Deno.readDir(path)) {
      if (await newer(`${path}/${entry.name}`)) return true;
    }
    return false;
  };
  for (const path of ["src", "app.css", "index.html"]) {
    if (await newer(`${UI_DIR}${path}`)) return true;
  }
  return false;
}

if (import.meta.main) {
  const started = performance.now();
  const outDir = await buildUi();
  console.error(`UI built into ${outDir} in ${Math.round(performance.now() - started)} ms`);
}
