/**
 * Side-by-side benchmarking: each comparison runs the raw engine (baseline) and AIOT doing the same
 * work, interleaved over several rounds in one process, and reports medians, spread and the ratio.
 * Machines here are noisy, so only ratios from the same run are compared.
 */

/** One measured run: how many units of work in how many milliseconds. */
export interface Sample {
  units: number;
  ms: number;
}

export interface Comparison {
  name: string;
  unit: string;
  baseline: { label: string; run(): Promise<Sample> };
  aiot: { label: string; run(): Promise<Sample> };
}

export interface ComparisonResult {
  name: string;
  unit: string;
  baselineLabel: string;
  aiotLabel: string;
  rounds: number;
  baseline: { median: number; min: number; max: number };
  aiot: { median: number; min: number; max: number };
  /** AIOT median rate / baseline median rate. */
  ratio: number;
}

const rate = (s: Sample) => (s.units / s.ms) * 1000;

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** Runs baseline and AIOT alternately (baseline first on even rounds, AIOT first on odd ones). */
export async function compare(
  comparison: Comparison,
  options: { rounds: number; progress?: (line: string) => void },
): Promise<ComparisonResult> {
  const baseline: number[] = [];
  const aiot: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? ["baseline", "aiot"] as const : ["aiot", "baseline"] as const;
    for (const side of order) {
      const sample = await comparison[side].run();
      (side === "baseline" ? baseline : aiot).push(rate(sample));
      options.progress?.(
        `  ${comparison.name} round ${round + 1}/${options.rounds} ${side}: ${
          format(rate(sample))
        } ${comparison.unit}`,
      );
    }
  }
  const b = stats(baseline);
  const a = stats(aiot);
  return {
    name: comparison.name,
    unit: comparison.unit,
    baselineLabel: comparison.baseline.label,
    aiotLabel: comparison.aiot.label,
    rounds: options.rounds,
    baseline: b,
    aiot: a,
    ratio: a.median / b.median,
  };
}

export function format(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(1);
}

/** A Markdown table of results. */
export function resultsTable(results: ComparisonResult[]): string {
  const lines = [
    "| comparison | baseline | AIOT | baseline median (min–max) | AIOT median (min–max) | ratio |",
    "|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    const cell = (s: { median: number; min: number; max: number }) =>
      `${format(s.median)} ${r.unit} (${format(s.min)}–${format(s.max)})`;
    lines.push(
      `| ${r.name} | ${r.baselineLabel} | ${r.aiotLabel} | ${cell(r.baseline)} | ${cell(r.aiot)} | ${
        r.ratio.toFixed(2)
      } |`,
    );
  }
  return lines.join("\n");
}
