/**
 * One run of `task` at a time for a trigger that may fire in bursts (a live stream delivers a batch
 * per animation frame; each would start a reload of its own). A trigger while the task runs asks
 * for one more run after it, however many triggers came: at most one running, at most one waiting.
 */
export function coalesce(task: () => Promise<unknown>): () => void {
  let running = false;
  let again = false;
  const run = async () => {
    running = true;
    try {
      do {
        again = false;
        await task().catch(() => {});
      } while (again);
    } finally {
      running = false;
    }
  };
  return () => {
    if (running) again = true;
    else void run();
  };
}
