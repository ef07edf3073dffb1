/**
 * One device's metric over the backtest range (the telemetry chart of the device page), with the
 * intervals in which the rule would have had an alert open shaded.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, type BacktestTransition, type RuleCondition } from "../api_client.ts";
import { alertIntervals, chartQuery, type TimeRange } from "../backtest_model.ts";
import { MetricChart } from "./metric_chart.tsx";

export interface BacktestChartProps {
  deviceId: string;
  metric: string;
  condition: RuleCondition;
  range: TimeRange;
  transitions: readonly BacktestTransition[];
}

export function BacktestChart({ deviceId, metric, condition, range, transitions }: BacktestChartProps) {
  const [series, setSeries] = useState<{ xs: number[]; ys: number[] }>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    setSeries(undefined);
    api.telemetry(deviceId, { metric, from: range.from, to: range.to, ...chartQuery(condition, range) })
      .then(({ points }) => {
        const numeric = points.filter((p): p is { t: number; v: number } => typeof p.v === "number");
        setSeries({ xs: numeric.map((p) => p.t / 1000), ys: numeric.map((p) => p.v) });
        setError(undefined);
      }, (e: Error) => setError(e.message));
  }, [deviceId, metric, range.from, range.to]);

  const intervals = useMemo(() => alertIntervals(transitions, deviceId, range), [
    transitions,
    deviceId,
    range,
  ]);
  const bands = useMemo(() => intervals.map((i) => ({ from: i.from / 1000, to: i.to / 1000 })), [intervals]);
  const xRange = useMemo(() => [range.from / 1000, range.to / 1000] as const, [range]);

  if (error) return <p class="error" role="alert">{error}</p>;
  if (!series) return <p aria-busy="true">Loading {metric} of {deviceId}…</p>;
  return (
    <>
      <MetricChart
        label={`${metric} (${deviceId})`}
        xs={series.xs}
        ys={series.ys}
        bands={bands}
        xRange={xRange}
      />
      <p class="muted legend">
        <span class="swatch" aria-hidden="true" /> {intervals.length
          ? `${intervals.length} would-be alert${intervals.length === 1 ? "" : "s"} of ${deviceId} shaded`
          : `No would-be alert for ${deviceId}`}
        {series.xs.length === 0 && ` · no ${metric} stored for ${deviceId} in this range`}
      </p>
    </>
  );
}
