/**
 * The RSS budget line of every scenario: the peak resident memory of each AIOT process it ran,
 * against a budget. AIOT processes are the platform children started through platform_child.ts
 * (their VmHWM is read just before they stop, `recordPlatformPeak`) and, for scenarios that run
 * AIOT code inside the bench process (log, storage, replay, rules, ui …), the bench process
 * itself, whose VmHWM is reset before each scenario (`/proc/self/clear_refs`).
 *
 * Budgets (MiB): every platform process 250 (issue 18: the all-in-one at 10k msg/s with 1,000
 * devices), the bench process 1,024 (it also holds the load generators, devices, SSE clients and
 * raw-engine baselines, so its figure is an upper bound of AIOT's). Override with
 * `AIOT_BENCH_RSS_BUDGET_PLATFORM` and `AIOT_BENCH_RSS_BUDGET_BENCH`.
 */
import { statusKiB } from "./proc_stats.ts";

export interface PeakRss {
  process: string;
  peakMiB: number;
}

export interface BudgetLine extends PeakRss {
  scenario: string;
  budgetMiB: number;
  within: boolean;
}

const budget = (name: string, fallback: number) => Number(Deno.env.get(name) ?? fallback) || fallback;
export const PLATFORM_BUDGET_MIB = budget("AIOT_BENCH_RSS_BUDGET_PLATFORM", 250);
export const BENCH_BUDGET_MIB = budget("AIOT_BENCH_RSS_BUDGET_BENCH", 1024);

let platformPeaks: PeakRss[] = [];

/** `/proc/<pid>/status` field in MiB (0 when the process is gone). */
export function statusMiB(pid: number | "self", field: "VmHWM" | "VmRSS"): number {
  const kib = statusKiB(pid, field);
  return Number.isNaN(kib) ? 0 : kib / 1024;
}

/** Called by platform_child.ts when a platform process is about to stop. */
export function recordPlatformPeak(label: string, pid: number): void {
  const peakMiB = statusMiB(pid, "VmHWM");
  if (peakMiB > 0) platformPeaks.push({ process: label, peakMiB });
}

/** Resets the bench process's peak and forgets recorded platform peaks: a scenario starts. */
export function startBudget(): void {
  platformPeaks = [];
  try {
    // "5" resets VmHWM to the current RSS (Linux ≥ 4.0).
    Deno.writeTextFileSync("/proc/self/clear_refs", "5");
  } catch { /* not Linux, or not allowed: the peak is the process's lifetime peak */ }
}

/** The scenario's lines: each platform process (largest first, at most 8) and the bench process. */
export function endBudget(scenario: string): BudgetLine[] {
  const lines: BudgetLine[] = [...platformPeaks]
    .sort((a, b) => b.peakMiB - a.peakMiB)
    .slice(0, 8)
    .map((p) => ({
      scenario,
      ...p,
      budgetMiB: PLATFORM_BUDGET_MIB,
      within: p.peakMiB <= PLATFORM_BUDGET_MIB,
    }));
  if (platformPeaks.length > 8) {
    lines.push({
      scenario,
      process: `(${platformPeaks.length - 8} more platform processes, each at most the above)`,
      peakMiB: NaN,
      budgetMiB: PLATFORM_BUDGET_MIB,
      within: true,
    });
  }
  const bench = statusMiB("self", "VmHWM");
  lines.push({
    scenario,
    process: "bench process (load, baselines, in-process AIOT)",
    peakMiB: bench,
    budgetMiB: BENCH_BUDGET_MIB,
    within: bench <= BENCH_BUDGET_MIB,
  });
  platformPeaks = [];
  return lines;
}
