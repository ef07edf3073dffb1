/**
 * The checks behind `/readyz`: every engine answers a small query, and every processor is running
 * (not stalled on an outage, not dead) and not too far behind. Processor checks read what the
 * runner hooks last reported, so they answer at once; engine probes are bounded by a timeout,
 * because a driver that reconnects in the background can keep a query waiting for many seconds.
 */
import type { ReadinessCheck } from "../../api/deps.ts";
import type { ProcessorHealth } from "../../core/processing/health.ts";

/** How long an engine probe may take before it counts as failed. */
export const PROBE_TIMEOUT_MS = 1000;

export async function probe(
  name: string,
  check: () => Promise<unknown>,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ReadinessCheck> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { name, ok: true };
  } catch (error) {
    return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Ready only while every processor's lag (as last reported) is under the threshold. */
export function lagCheck(lags: Map<string, number>, maxLag: number): ReadinessCheck {
  const behind = [...lags].filter(([, lag]) => lag > maxLag);
  if (behind.length === 0) return { name: "projector lag", ok: true };
  return {
    name: "projector lag",
    ok: false,
    detail: behind.map(([processor, lag]) => `${processor} is ${lag} events behind (max ${maxLag})`).join(
      "; ",
    ),
  };
}

const iso = (epochMs: number) => new Date(epochMs).toISOString();
const attempts = (n: number) => `${n} failed ${n === 1 ? "attempt" : "attempts"}`;

/** Ready only while every processor runs: one stalled on an outage or dead handles nothing. */
export function processorsCheck(healths: Map<string, ProcessorHealth>): ReadinessCheck {
  const problems = [...healths].flatMap(([processor, health]) =>
    health.state === "stalled"
      ? [`${processor} stalled since ${iso(health.since)} (${attempts(health.attempts)}): ${health.reason}`]
      : health.state === "failed"
      ? [`${processor} failed at ${iso(health.since)}: ${health.reason}`]
      : []
  );
  return problems.length === 0
    ? { name: "processors", ok: true }
    : { name: "processors", ok: false, detail: problems.join("; ") };
}
