/**
 * The telemetry message of the MQTT benches: ~150 bytes of flat JSON, 9 metrics (`seq` = the
 * message number), with `ts` (epoch ms) when given.
 */
export const METRICS_PER_MESSAGE = 9;

export function telemetryPayload(i: number, ts?: number): string {
  return JSON.stringify({
    ...(ts === undefined ? {} : { ts }),
    temperature: 20 + (i % 100) / 10,
    humidity: 40 + (i % 37) / 10,
    pressure: 1013.2,
    battery: 87,
    rssi: -67,
    voltage: 3.31,
    current: 0.12,
    seq: i,
    uptime: 100_000 + i,
  });
}
