/**
 * Keeps a processor alive. When its consumer dies (the log refused an append for good, or the
 * consumer crashed), the runner reports it failed; the supervisor starts it again after a capped
 * exponential backoff, from the last committed offset. Without it a dead processor stays dead
 * until the process restarts, and nothing else notices.
 */
import type { RunningProcessor } from "./runner.ts";

export interface SuperviseOptions {
  /** First wait before a restart; doubles per consecutive crash up to `maxDelayMs`. Defaults 1 s and 60 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Told before each restart: the error that ended the run and the wait before the next one. */
  onRestart?(info: { attempt: number; delayMs: number; error: unknown }): void;
  /** Clock: a run that lasted longer than `maxDelayMs` starts the backoff over. Default `Date.now`. */
  now?: () => number;
}

/** Runs what `start` returns and starts it again whenever it dies, until `stop()`. */
export function superviseProcessor(
  start: () => RunningProcessor,
  options: SuperviseOptions = {},
): RunningProcessor {
  const baseDelay = options.baseDelayMs ?? 1000;
  const maxDelay = options.maxDelayMs ?? 60_000;
  const now = options.now ?? Date.now;
  const stopping = new AbortController();
  let current = start();
  let startedAt = now();

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      stopping.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });

  const done = (async () => {
    for (let crashes = 0;;) {
      try {
        return await current.done; // a clean stop
      } catch (error) {
        if (stopping.signal.aborted) return;
        crashes = now() - startedAt > maxDelay ? 1 : crashes + 1;
        const delayMs = Math.min(maxDelay, baseDelay * 2 ** (crashes - 1));
        options.onRestart?.({ attempt: crashes, delayMs, error });
        await wait(delayMs);
        if (stopping.signal.aborted) return;
        current = start();
        startedAt = now();
      }
    }
  })();

  return {
    ready: current.ready,
    done,
    health: () => current.health(),
    async stop() {
      stopping.abort();
      await current.stop();
      await done;
    },
  };
}
