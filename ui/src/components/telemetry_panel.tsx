/**
 * Telemetry of one device: pick a metric and a range. "Live" shows the raw points of the last
 * five minutes and appends each value as the stream delivers it; 1 h / 24 h / 7 d ask the API
 * for downsampled buckets (1 min / 15 min / 1 h) with the chosen aggregation.
 */
import { useEffect, useState } from "preact/hooks";
import { api, type LatestValue, type MetricValue } from "../api_client.ts";
import { formatTime, formatValue } from "../format.ts";
import type { LiveEvent } from "../live_stream.ts";
import { MetricChart } from "./metric_chart.tsx";

const LIVE_WINDOW_MS = 5 * 60_000;
const RANGES = {
  live: { label: "Live", ms: LIVE_WINDOW_MS, bucket: undefined },
  "1h": { label: "1 h", ms: 3_600_000, bucket: "1m" },
  "24h": { label: "24 h", ms: 86_400_000, bucket: "15m" },
  "7d": { label: "7 d", ms: 7 * 86_400_000, bucket: "1h" },
} as const;
type RangeName = keyof typeof RANGES;
const AGGS = ["avg", "min", "max", "last", "count"] as const;

interface Series {
  xs: number[];
  ys: number[];
}

export function TelemetryPanel({ deviceId, events }: { deviceId: string; events: readonly LiveEvent[] }) {
  const [metrics, setMetrics] = useState<LatestValue[]>([]);
  const [metric, setMetric] = useState<string>();
  const [range, setRange] = useState<RangeName>("live");
  const [agg, setAgg] = useState<(typeof AGGS)[number]>("avg");
  const [series, setSeries] = useState<Series>({ xs: [], ys: [] });
  const [error, setError] = useState<string>();

  useEffect(() => {
    api.metrics(deviceId).then(({ items }) => {
      setMetrics(items);
      setMetric((m) => m ?? items.find((i) => typeof i.value === "number")?.metric ?? items[0]?.metric);
    }, (e: Error) => setError(e.message));
  }, [deviceId]);

  useEffect(() => {
    if (!metric) return;
    const { ms, bucket } = RANGES[range];
    const to = Date.now() + 1000;
    api.telemetry(deviceId, { metric, from: to - ms, to, ...(bucket ? { bucket, agg } : {}) }).then(
      ({ points }) => {
        const numeric = points.filter((p): p is { t: number; v: number } => typeof p.v === "number");
        const newest = numeric.length ? numeric[numeric.length - 1]!.t / 1000 : -Infinity;
        // Live points that arrived while the request ran (the store may not have them yet) stay.
        setSeries((s) => {
          const kept = range === "live"
            ? s.xs.map((x, i) => [x, s.ys[i]!] as const).filter(([x]) => x > newest)
            : [];
          return {
            xs: [...numeric.map((p) => p.t / 1000), ...kept.map(([x]) => x)],
            ys: [...numeric.map((p) => p.v), ...kept.map(([, y]) => y)],
          };
        });
        setError(undefined);
      },
      (e: Error) => setError(e.message),
    );
  }, [deviceId, metric, range, agg]);

  useEffect(() => {
    const latest = new Map<string, LatestValue>();
    const reported: { name: string; value: MetricValue; ts: number }[] = [];
    for (const event of events) {
      if (event.type !== "telemetry.reported") continue;
      const { values } = event.data as { values: { name: string; value: MetricValue; ts: number }[] };
      for (const value of values) {
        latest.set(value.name, { metric: value.name, value: value.value, t: value.ts });
        reported.push(value);
      }
    }
    // The first values of a device without telemetry choose the metric: they are its first points.
    const shown = metric ?? [...latest.values()].find((l) => typeof l.value === "number")?.metric;
    const appended = reported.filter((r) => r.name === shown && typeof r.value === "number")
      .map((r) => ({ t: r.ts, v: r.value as number }));
    if (latest.size) {
      setMetrics((known) => {
        const merged = new Map(known.map((m) => [m.metric, m]));
        for (const [name, value] of latest) merged.set(name, value);
        return [...merged.values()].sort((a, b) => a.metric.localeCompare(b.metric));
      });
      setMetric((m) => m ?? shown);
    }
    if (range === "live" && appended.length) {
      setSeries((s) => {
        const since = (Date.now() - LIVE_WINDOW_MS) / 1000;
        // Keyed by time, as in the store: a live value the API already returned is not added twice.
        const byTime = new Map(s.xs.map((x, i) => [Math.round(x * 1000), s.ys[i]!]));
        for (const p of appended) byTime.set(p.t, p.v);
        const points = [...byTime].map(([t, v]) => ({ t, v }))
          .filter((p) => p.t / 1000 >= since)
          .sort((a, b) => a.t - b.t);
        return { xs: points.map((p) => p.t / 1000), ys: points.map((p) => p.v) };
      });
    }
  }, [events]);

  const current = metrics.find((m) => m.metric === metric);

  return (
    <section class="panel telemetry" aria-labelledby="telemetry-title">
      <h2 id="telemetry-title">Telemetry</h2>
      {metrics.length === 0
        ? <p class="muted">No telemetry yet. Values appear here as the device sends them.</p>
        : (
          <>
            <div class="toolbar">
              <label>
                Metric
                <select name="metric" value={metric} onChange={(e) => setMetric(e.currentTarget.value)}>
                  {metrics.map((m) => <option key={m.metric} value={m.metric}>{m.metric}</option>)}
                </select>
              </label>
              <fieldset class="segmented">
                <legend>Range</legend>
                {(Object.keys(RANGES) as RangeName[]).map((name) => (
                  <button
                    type="button"
                    key={name}
                    aria-pressed={range === name}
                    onClick={() => setRange(name)}
                  >
                    {RANGES[name].label}
                  </button>
                ))}
              </fieldset>
              {range !== "live" && (
                <label>
                  Aggregate
                  <select
                    name="agg"
                    value={agg}
                    onChange={(e) => setAgg(e.currentTarget.value as typeof agg)}
                  >
                    {AGGS.map((a) => <option key={a} value={a}>{a}</option>)}
                  </select>
                </label>
              )}
            </div>
            {current && (
              <p class="latest" aria-live="polite">
                Latest {current.metric}: <b data-latest={current.metric}>{formatValue(current.value)}</b>{" "}
                <small>{formatTime(current.t)}</small>
              </p>
            )}
            {current && typeof current.value !== "number"
              ? <p class="muted">This metric is not numeric: only its latest value is shown.</p>
              : metric && <MetricChart label={metric} xs={series.xs} ys={series.ys} />}
            <ul class="metric-list" aria-label="Latest values">
              {metrics.map((m) => (
                <li key={m.metric}>
                  <span>{m.metric}</span> <b>{formatValue(m.value)}</b>
                </li>
              ))}
            </ul>
          </>
        )}
      {error && <p class="error" role="alert">{error}</p>}
    </section>
  );
}
