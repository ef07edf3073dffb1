/**
 * Builds the dashboard into `ui/dist/`: `app.js` (the Preact app and uPlot, bundled for the
 * browser by `deno bundle`), `app.css` (uPlot's stylesheet + ours) and `index.html`.
 * `deno task ui:build` runs it; the all-in-one calls `buildUi()` when `ui/dist` is missing.
 */

const UI_DIR: string = new URL(".", import.meta.url).pathname;
export const UI_DIST_DIR: string = `${UI_DIR}dist`;

/**
 * Builds into `outDir` (default `ui/dist`); throws with deno bundle's output when it fails.
 * Several processes may build at once (parallel tests on a fresh clone, each starting a server):
 * each bundles into a directory of its own and renames it into place, so no reader ever sees a
 * half-written bundle.
 */
export async function buildUi(options: { outDir?: string; minify?: boolean } = {}): Promise<string> {
  const outDir = options.outDir ?? UI_DIST_DIR;
  const replaced = await inode(outDir);
  // Next to outDir, so that the rename stays on one file system.
  const staging = `${outDir}.building-${crypto.randomUUID()}`;
  try {
    await writeBuild(staging, options.minify ?? true);
    await install(staging, outDir, replaced);
  } finally {
    await removeIfPresent(staging);
  }
  return outDir;
}

async function writeBuild(dir: string, minify: boolean): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const args = ["bundle", "--quiet", "--platform=browser", "--format=esm", "-o", `${dir}/app.js`];
  if (minify) args.push("--minify");
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
    `${dir}/app.css`,
    `${uplotCss}\n${await Deno.readTextFile(`${UI_DIR}app.css`)}`,
  );
  await Deno.copyFile(`${UI_DIR}index.html`, `${dir}/index.html`);
}

/**
 * Renames the finished build `staging` to `outDir`. A build there that is not the one this build
 * replaces (inode `replaced`, undefined if there was none) was installed meanwhile by another
 * process, from the same sources: it is kept and `staging` dropped.
 */
async function install(staging: string, outDir: string, replaced: number | null | undefined): Promise<void> {
  const previous = `${staging}.previous`;
  try {
    while (!await renameUnlessTaken(staging, outDir)) {
      const current = await inode(outDir);
      if (current !== undefined && current !== replaced) return;
      // rename() cannot replace a non-empty directory: the replaced build moves aside first. Gone
      // already (another process replacing it too moved it): the next rename decides who wins.
      if (current !== undefined) await Deno.rename(outDir, previous).catch(ignoreNotFound);
    }
  } finally {
    await removeIfPresent(previous);
  }
}

/** Renames `from` to `to`; false when `to` is already there. */
async function renameUnlessTaken(from: string, to: string): Promise<boolean> {
  try {
    await Deno.rename(from, to);
    return true;
  } catch (error) {
    if (await inode(to) !== undefined) return false;
    throw error;
  }
}

/** The inode of `path` (null where the platform has none), or undefined when nothing is there. */
async function inode(path: string): Promise<number | null | undefined> {
  try {
    return (await Deno.stat(path)).ino;
  } catch (error) {
    ignoreNotFound(error);
    return undefined;
  }
}

function removeIfPresent(path: string): Promise<void> {
  return Deno.remove(path, { recursive: true }).catch(ignoreNotFound);
}

function ignoreNotFound(error: unknown): void {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
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
