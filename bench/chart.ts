/**
 * `deno run -A bench/chart.ts [out.svg] [results.json]`: a horizontal bar chart of
 * AIOT/baseline ratios of one bench run (default: the newest file under bench/results/; default out:
 * docs/performance-ratios.svg). One run only: ratios of different runs do not compare.
 */
import type { ComparisonResult } from "./harness.ts";

const out = Deno.args[0] ?? "docs/performance-ratios.svg";
const latest = new Map<string, ComparisonResult>();
const files = Deno.args[1]
  ? [Deno.args[1]]
  : [...Deno.readDirSync("bench/results")].map((e) => `bench/results/${e.name}`).filter((n) =>
    n.endsWith(".json")
  ).sort().slice(-1);
for (const file of files) {
  const { results } = JSON.parse(Deno.readTextFileSync(file)) as {
    results: ComparisonResult[];
  };
  for (const r of results) latest.set(r.name, r);
}
const rows = [...latest.values()];
const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const LABEL = 430, BAR = 300, ROW = 22, TOP = 30;
const max = Math.max(1.2, ...rows.map((r) => r.ratio));
const x = (ratio: number) => LABEL + (ratio / max) * BAR;
const height = TOP + rows.length * ROW + 20;
const svg = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${
    LABEL + BAR + 60
  }" height="${height}" font-family="sans-serif" font-size="12">`,
  `<text x="${LABEL}" y="16" font-weight="bold">AIOT / baseline (median rate; 1.0 = as fast as the raw engine)</text>`,
  `<line x1="${x(1)}" y1="${TOP - 6}" x2="${x(1)}" y2="${
    height - 14
  }" stroke="#888" stroke-dasharray="3,3"/>`,
  ...rows.flatMap((r, i) => {
    const y = TOP + i * ROW;
    const color = r.ratio >= 0.7 ? "#2e7d32" : r.ratio >= 0.3 ? "#f9a825" : "#c62828";
    return [
      `<text x="${LABEL - 6}" y="${y + 12}" text-anchor="end">${escape(r.name)}</text>`,
      `<rect x="${LABEL}" y="${y}" width="${Math.max(1, x(r.ratio) - LABEL)}" height="${
        ROW - 6
      }" fill="${color}"/>`,
      `<text x="${x(r.ratio) + 4}" y="${y + 12}">${r.ratio.toFixed(2)}</text>`,
    ];
  }),
  `</svg>`,
].join("\n");
Deno.writeTextFileSync(out, svg + "\n");
console.error(`${rows.length} comparisons → ${out}`);
