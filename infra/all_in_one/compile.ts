/**
 * `deno task compile`: the all-in-one as one executable file, `dist/aiot`, with the dashboard in it.
 *
 * First choice: `deno compile` (the UI bundle and the projection worker `--include`d). It needs
 * Deno's `denort` runtime, which Deno downloads from its release site (or takes from `DENORT_BIN`);
 * where that site is out of reach — the project's machines reach package registries only — the
 * file is packed instead: a POSIX shell header followed by a tar.gz of the Deno runtime, the
 * app's modules, the UI bundle and the npm packages, unpacked on first run under
 * `$AIOT_UNPACK_DIR` (default `$XDG_CACHE_HOME/aiot-bin` or `~/.cache/aiot-bin`) and run offline
 * from there. Either way the file runs without Deno installed; `--packed` forces the second form.
 *
 *   deno task compile [--out <file>] [--packed] [--if-stale]
 *
 * `--if-stale` skips the build when `<file>` was built from the current sources (a content hash
 * of the modules, the UI sources, deno.json, deno.lock and the Deno version, kept in `<file>.stamp`).
 */
import { createHash } from "node:crypto";
import { buildUi } from "../../ui/build.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const MAIN = "infra/all_in_one/main.ts";
/** Loaded by `new Worker(new URL(…))`, which `deno compile` cannot follow on its own. */
const WORKER = "infra/all_in_one/projection_worker.ts";
/**
 * What the all-in-one may do: serve and connect (net), read its AIOT_* configuration (env, read
 * whole by `Deno.env.toObject()`), read and write its data directory (chosen at run time, so not
 * narrowed here), and OS facts some drivers ask for (sys); run ffmpeg, which the cameras role relays
 * and records with (from PATH). No other subprocess, no FFI.
 */
const PERMISSIONS = [
  "--allow-net",
  "--allow-env",
  "--allow-sys",
  "--allow-read",
  "--allow-write",
  "--allow-run=ffmpeg",
];

export interface CompileResult {
  path: string;
  form: "deno-compile" | "packed";
  bytes: number;
  /** False when `ifStale` found the file current. */
  built: boolean;
}

/** Builds the executable at `out` (default `dist/aiot`); see the module doc for the two forms. */
export async function compileAllInOne(
  options: { out?: string; packed?: boolean; ifStale?: boolean; log?: (line: string) => void } = {},
): Promise<CompileResult> {
  const out = options.out ?? `${ROOT}dist/aiot`;
  const log = options.log ?? ((line: string) => console.error(line));
  const hash = await sourcesHash();
  const stamp = await Deno.readTextFile(`${out}.stamp`).then((s) => JSON.parse(s), () => undefined);
  if (options.ifStale && stamp?.hash === hash && await Deno.stat(out).then(() => true, () => false)) {
    return { path: out, form: stamp.form, bytes: (await Deno.stat(out)).size, built: false };
  }
  await Deno.mkdir(dirname(out), { recursive: true });
  await Deno.remove(`${out}.stamp`).catch(() => {});
  log("building the UI bundle (ui/dist)…");
  await buildUi();
  let form: CompileResult["form"] = "packed";
  if (!options.packed) {
    const compiled = await denoCompile(out);
    if (compiled.ok) form = "deno-compile";
    else log(`deno compile is not available here, packing instead: ${compiled.reason}`);
  }
  if (form === "packed") await pack(out, hash, log);
  await Deno.writeTextFile(`${out}.stamp`, JSON.stringify({ hash, form }));
  return { path: out, form, bytes: (await Deno.stat(out)).size, built: true };
}

async function denoCompile(out: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  // Beside `out`, then renamed: deno compile will not overwrite a file it did not write (a packed one).
  const partial = `${out}.compiling`;
  await Deno.remove(partial).catch(() => {});
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      "--no-check", // `deno check` is the gate's job; compile only packs
      "--exclude-unused-npm",
      ...PERMISSIONS,
      "--include",
      "ui/dist",
      "--include",
      WORKER,
      "-o",
      partial,
      MAIN,
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (success) {
    await Deno.rename(partial, out);
    return { ok: true };
  }
  const text = new TextDecoder().decode(stderr);
  // Only a missing runtime falls back; any other failure is a real build error.
  const runtime = text.match(/error sending request for url \((\S*denort\S*)\)[^\n]*/);
  if (runtime) return { ok: false, reason: `cannot download ${runtime[1]}` };
  throw new Error(`deno compile failed:\n${text}`);
}

/** The packed form: shell header + tar.gz of deno, the app and a DENO_DIR with its npm packages. */
async function pack(out: string, hash: string, log: (line: string) => void): Promise<void> {
  // Outside the repository: a deno.json above the staged app would be taken as its workspace.
  const stage = await Deno.makeTempDir({ prefix: "aiot-pack-" });
  const archive = `${stage}.tar.gz`;
  try {
    const app = `${stage}/app`;
    for (const file of [...await appFiles(), ...await filesUnder("ui/dist")]) {
      await Deno.mkdir(dirname(`${app}/${file}`), { recursive: true });
      await Deno.copyFile(`${ROOT}${file}`, `${app}/${file}`);
    }
    await Deno.copyFile(Deno.execPath(), `${stage}/deno`);
    await Deno.chmod(`${stage}/deno`, 0o755);
    log("caching npm packages for the packed app…");
    await run(Deno.execPath(), ["cache", "--quiet", MAIN, WORKER], {
      cwd: app,
      env: { DENO_DIR: `${stage}/deno_dir` },
    });
    log("packing…");
    await run("tar", ["-czf", archive, "-C", stage, "."]);
    await Deno.writeTextFile(`${out}.partial`, launcher(hash), { mode: 0o755 });
    const partial = await Deno.open(`${out}.partial`, { append: true });
    await (await Deno.open(archive)).readable.pipeTo(partial.writable); // closes both
    await Deno.chmod(`${out}.partial`, 0o755);
    await Deno.rename(`${out}.partial`, out);
  } finally {
    await Deno.remove(stage, { recursive: true }).catch(() => {});
    await Deno.remove(archive).catch(() => {});
  }
}

/**
 * The shell header of the packed file. Unpacks once per content hash (into a temporary folder,
 * renamed into place, so concurrent first runs never see half an unpack), then runs the app
 * offline with the same permissions as the compiled form, reads and writes narrowed to the
 * unpacked app and the data directory.
 */
function launcher(hash: string): string {
  const script = (skip: number) =>
    `#!/bin/sh
# AIOT all-in-one, packed by \`deno task compile\` (infra/all_in_one/compile.ts): the Deno runtime,
# the app, its dashboard and npm packages in one file. The first run unpacks them (~160 MB) under
# $AIOT_UNPACK_DIR (default: $XDG_CACHE_HOME/aiot-bin or ~/.cache/aiot-bin).
set -eu
root="\${AIOT_UNPACK_DIR:-\${XDG_CACHE_HOME:-\${HOME:?set HOME or AIOT_UNPACK_DIR}/.cache}/aiot-bin}"
dir="$root/${hash.slice(0, 16)}"
if [ ! -f "$dir/.complete" ]; then
  mkdir -p "$root"
  tmp=$(mktemp -d "$root/.unpack.XXXXXX")
  tail -n +${skip} "$0" | tar -xzf - -C "$tmp"
  touch "$tmp/.complete"
  mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
fi
data="\${AIOT_DATA_DIR:-./data}"
mkdir -p "$data"
DENO_DIR="$dir/deno_dir" DENO_NO_UPDATE_CHECK=1 DENO_NO_PROMPT=1 exec "$dir/deno" run --cached-only \\
  --config "$dir/app/deno.json" ${PERMISSIONS.filter((p) => !/read|write/.test(p)).join(" ")} \\
  --allow-read="$dir,$data" --allow-write="$data" "$dir/app/${MAIN}" "$@"
`;
  const lines = script(0).split("\n").length; // the payload starts on the line after the script
  return script(lines);
}

/** The modules of the all-in-one and its worker, with every deno.json and the lockfile. */
async function appFiles(): Promise<string[]> {
  const files = new Set(["deno.json", "deno.lock"]);
  for (const member of ["core", "infra", "processors", "api", "ui"]) files.add(`${member}/deno.json`);
  for (const root of [MAIN, WORKER]) {
    const { stdout } = await run(Deno.execPath(), ["info", "--json", root], { cwd: ROOT });
    const graph = JSON.parse(stdout) as { modules: { specifier: string }[] };
    for (const { specifier } of graph.modules) {
      if (specifier.startsWith("file://")) files.add(new URL(specifier).pathname.slice(ROOT.length));
    }
  }
  return [...files];
}

/**
 * What the executable is built from: every file of the workspace members but tests and built
 * output, the root config and lockfile, and the Deno version (the runtime is in the file).
 */
export async function sourcesHash(): Promise<string> {
  const hash = createHash("sha256").update(Deno.version.deno);
  const files = ["deno.json", "deno.lock"];
  for (const member of ["core", "infra", "processors", "api", "ui"]) {
    // ui/dist is what the build makes, ui/dist.* the folders of UI builds in progress.
    files.push(
      ...(await filesUnder(member)).filter((f) => !/_test\.tsx?$/.test(f) && !/^ui\/dist\b/.test(f)),
    );
  }
  for (const file of files.sort()) hash.update(`\0${file}\0`).update(await Deno.readFile(`${ROOT}${file}`));
  return hash.digest("hex");
}

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (path.startsWith("ui/dist.")) continue; // another process's UI build: gone any moment
    if (entry.isDirectory) found.push(...await filesUnder(path));
    else if (entry.isFile) found.push(path);
  }
  return found;
}

async function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ stdout: string }> {
  const result = await new Deno.Command(command, { args, ...options, stdout: "piped", stderr: "piped" })
    .output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  if (!result.success) throw new Error(`${command} ${args.join(" ")} failed:\n${text(result.stderr)}`);
  return { stdout: text(result.stdout) };
}

const dirname = (path: string) => path.slice(0, Math.max(path.lastIndexOf("/"), 0)) || ".";

if (import.meta.main) {
  const args = Deno.args;
  const outAt = args.indexOf("--out");
  const result = await compileAllInOne({
    ...(outAt >= 0 && args[outAt + 1] ? { out: args[outAt + 1]! } : {}),
    packed: args.includes("--packed"),
    ifStale: args.includes("--if-stale"),
  });
  console.error(
    `${result.built ? "built" : "up to date"}: ${result.path} (${result.form}, ` +
      `${(result.bytes / 1024 / 1024).toFixed(1)} MiB)`,
  );
}
