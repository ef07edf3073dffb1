/**
 * How a running processor is doing, for readiness checks: plain data, so a worker thread can post
 * it as it is. The runner reports every change to `RunnerHooks.onHealth`.
 */
export type ProcessorHealth =
  | { state: "running" }
  /**
   * Retrying an infrastructure failure (a database or broker away) since `since` (epoch ms). It
   * handles nothing meanwhile and resumes where it stopped once the failure is gone.
   */
  | { state: "stalled"; since: number; attempts: number; reason: string }
  /** Its consumer died (the log refused an append for good, or the consumer crashed). */
  | { state: "failed"; since: number; reason: string };

const SEVERITY = { running: 0, stalled: 1, failed: 2 } as const;

/** The worst of several processors' health (failed, then stalled), e.g. of those on one thread. */
export function worstHealth(healths: Iterable<ProcessorHealth>): ProcessorHealth {
  let worst: ProcessorHealth = { state: "running" };
  for (const health of healths) if (SEVERITY[health.state] > SEVERITY[worst.state]) worst = health;
  return worst;
}
