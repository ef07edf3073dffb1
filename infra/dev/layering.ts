/**
 * The dependency direction of design.md §2, checked on the source tree:
 * core imports nothing of ours and calls no Deno APIs; processors' definitions and the api app
 * import only core; ui imports only types from api and core; infra never imports processors or
 * api; only composition roots (`main.ts` files, `infra/all_in_one/`, `infra/cli/`, `bench/`) may import
 * anything, and nothing but bench imports bench.
 */

export interface Violation {
  file: string;
  line: number;
  message: string;
}

const LAYERS = ["core", "infra", "processors", "api", "ui", "bench"] as const;
type Layer = typeof LAYERS[number];

const IMPORT =
  /(?:^|\s)(import\s+type\s|import\s|export\s)[^"'`;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function layerOf(path: string): Layer | undefined {
  const top = path.split("/")[0];
  return LAYERS.find((layer) => layer === top);
}

function resolve(fromFile: string, specifier: string): string {
  const parts = fromFile.split("/").slice(0, -1);
  for (const segment of specifier.split("/")) {
    if (segment === "..") parts.pop();
    else if (segment !== ".") parts.push(segment);
  }
  return parts.join("/");
}

/**
 * Composition roots wire every layer together: `main.ts` files (and their tests), the all-in-one
 * folder (the whole platform, for its `main.ts` and e2e tests), the CLI and the benchmarks, which
 * compose it too.
 */
function isCompositionRoot(file: string): boolean {
  return file.endsWith("/main.ts") || file.endsWith("main_test.ts") || file.startsWith("infra/all_in_one/") ||
    file.startsWith("infra/cli/") || file.startsWith("bench/");
}

/** Core files ui may import values from, not only types: plain data, no zod, nothing of the server. */
const UI_VALUE_IMPORTS = ["core/events/type_names.ts"];

/** Which of our layers `file` (in `layer`) may import. */
function allowed(file: string, layer: Layer, typeOnly: boolean): Layer[] {
  // bench is a composition root of its own: nothing in the platform, not even another root, imports it.
  if (layer === "bench") return [...LAYERS];
  if (isCompositionRoot(file)) return LAYERS.filter((target) => target !== "bench");
  switch (layer) {
    case "core":
      return ["core"];
    case "infra":
      return ["core", "infra"];
    case "processors":
      return ["core", "processors"];
    case "api":
      return ["core", "api"];
    case "ui":
      return typeOnly ? ["core", "api", "ui"] : ["ui"];
  }
}

/** Checks one file's source; `file` is relative to the repository root, with `/` separators. */
export function checkFile(file: string, source: string): Violation[] {
  const layer = layerOf(file);
  if (!layer) return [];
  const violations: Violation[] = [];
  const lineAt = (index: number) => source.slice(0, index).split("\n").length;
  for (const match of source.matchAll(IMPORT)) {
    const specifier = match[2] ?? match[3];
    if (!specifier?.startsWith(".")) continue;
    const target = layerOf(resolve(file, specifier));
    const typeOnly = (match[1]?.startsWith("import type") ?? false) ||
      UI_VALUE_IMPORTS.includes(resolve(file, specifier));
    if (target && !allowed(file, layer, typeOnly).includes(target)) {
      violations.push({
        file,
        line: lineAt(match.index),
        message: `${layer} must not import ${target} ("${specifier}")`,
      });
    }
    if (!target) {
      violations.push({
        file,
        line: lineAt(match.index),
        message: `import leaves the repository layers ("${specifier}")`,
      });
    }
  }
  if (layer === "core" && !file.endsWith("_test.ts")) {
    // Comments keep their length (blanked, newlines kept) so line numbers stay right.
    const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (c) => c.replace(/[^\n]/g, " "));
    for (const match of code.matchAll(/\bDeno\.[a-zA-Z]+/g)) {
      violations.push({
        file,
        line: lineAt(match.index),
        message: `core must not call Deno APIs (${match[0]})`,
      });
    }
  }
  return violations;
}

/** Walks the layer folders under `root` and checks every .ts/.tsx file. */
export async function findLayeringViolations(root: string): Promise<Violation[]> {
  const violations: Violation[] = [];
  async function walk(dir: string): Promise<void> {
    for await (const entry of Deno.readDir(`${root}/${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory && entry.name !== "node_modules") await walk(path);
      else if (entry.isFile && /\.tsx?$/.test(entry.name)) {
        violations.push(...checkFile(path, await Deno.readTextFile(`${root}/${path}`)));
      }
    }
  }
  for (const layer of LAYERS) {
    const exists = await Deno.stat(`${root}/${layer}`).then(() => true, () => false);
    if (exists) await walk(layer);
  }
  return violations;
}
