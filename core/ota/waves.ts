/**
 * How a campaign's devices split into waves (design §10): `size` devices per wave, or `percent`
 * of them (rounded up, at least one); with both, the smaller wave; with neither, one wave.
 * Devices are taken in the order given (the API sorts the resolved target), so the plan is the
 * same on every replay.
 */
export interface WaveSettings {
  size?: number | undefined;
  percent?: number | undefined;
}

/** The size of every wave but possibly the last. */
export function waveSize(total: number, waves: WaveSettings = {}): number {
  const bySize = waves.size ?? total;
  const byPercent = waves.percent === undefined ? total : Math.ceil((total * waves.percent) / 100);
  return Math.max(1, Math.min(bySize, byPercent, total));
}

/** The devices of each wave, in order. */
export function planWaves<T>(devices: readonly T[], waves: WaveSettings = {}): T[][] {
  const size = waveSize(devices.length, waves);
  const plan: T[][] = [];
  for (let i = 0; i < devices.length; i += size) plan.push(devices.slice(i, i + size));
  return plan;
}
