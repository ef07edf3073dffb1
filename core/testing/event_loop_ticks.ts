/**
 * Counts turns of the event loop while some work runs: a zero-delay timer that re-arms itself
 * fires once per turn, so work that keeps the thread (a synchronous loop, or promises that only
 * ever chain microtasks) shows as zero or few ticks, whatever the speed of the machine. Tests use
 * it to prove that long work yields, without measuring time.
 */
export interface TickCounter {
  /** Stops counting; returns the turns counted. */
  stop(): number;
}

export function countEventLoopTicks(): TickCounter {
  let ticks = 0;
  let timer: ReturnType<typeof setTimeout>;
  const tick = () => {
    ticks++;
    timer = setTimeout(tick, 0);
  };
  timer = setTimeout(tick, 0);
  return {
    stop() {
      clearTimeout(timer);
      return ticks;
    },
  };
}
