/**
 * The per-device cap on distinct metric names (`UplinkLimits.maxMetricsPerDevice`). Ingest is
 * stateless and must answer synchronously (the gateway calls it inside the MQTT publish hook), so
 * the names a device already has are held here, in memory, per device: seeded from the
 * device_metrics read model when the device authenticates (`prime`), and on its first uplink
 * otherwise, then kept up to date with every name ingest admits.
 *
 * The count is close, not exact, and errs towards admitting: until a device's seed arrives only
 * names seen by this process count, the read model lags the log a little, and ingest replicas
 * (external broker mode) each count what they see. A device overshoots by at most what it sends
 * in that window; afterwards every new name is refused.
 */

export interface MetricNameCapOptions {
  /** The metric names the device already has (`listDeviceMetrics` of the read model). */
  knownMetrics(deviceId: string): Promise<string[]>;
  /** Devices held at once, least recently used dropped first. Default 10,000. */
  maxDevices?: number;
}

export interface MetricNameCap {
  /**
   * Why `names` would take the device past `limit` distinct metrics, or undefined: then the
   * new names are counted. Synchronous, for ingest.
   */
  admit(deviceId: string, names: Iterable<string>, limit: number): string | undefined;
  /** Loads the device's names unless they are held; resolves when they are (never rejects). */
  prime(deviceId: string): Promise<void>;
}

interface Held {
  names: Set<string>;
  seeded: Promise<void>;
}

const ordinal = (n: number) => {
  const tens = n % 100, ones = n % 10;
  const suffix = tens >= 11 && tens <= 13
    ? "th"
    : ones === 1
    ? "st"
    : ones === 2
    ? "nd"
    : ones === 3
    ? "rd"
    : "th";
  return `${n}${suffix}`;
};

export function createMetricNameCap(options: MetricNameCapOptions): MetricNameCap {
  const maxDevices = options.maxDevices ?? 10_000;
  /** Map order is the recency order: a device touched is moved to the end. */
  const devices = new Map<string, Held>();

  const held = (deviceId: string): Held => {
    const found = devices.get(deviceId);
    if (found) {
      devices.delete(deviceId);
      devices.set(deviceId, found);
      return found;
    }
    const names = new Set<string>();
    // A seed that cannot be read leaves the count to what this process sees: refusing every
    // uplink while the read model is down would be worse than a late cap.
    const seeded = options.knownMetrics(deviceId).then(
      (known) => known.forEach((name) => names.add(name)),
      () => {},
    );
    const entry = { names, seeded };
    devices.set(deviceId, entry);
    if (devices.size > maxDevices) devices.delete(devices.keys().next().value!);
    return entry;
  };

  return {
    admit(deviceId, names, limit) {
      const known = held(deviceId).names;
      // Made only for a name the device did not have: most uplinks repeat known names.
      let added: Set<string> | undefined;
      for (const name of names) {
        if (known.has(name) || added?.has(name)) continue;
        const count = known.size + (added?.size ?? 0);
        if (count >= limit) {
          return `metric "${name}" would be the device's ${
            ordinal(count + 1)
          } distinct metric, limit ${limit}`;
        }
        (added ??= new Set()).add(name);
      }
      added?.forEach((name) => known.add(name));
      return undefined;
    },
    prime: (deviceId) => held(deviceId).seeded,
  };
}
