/**
 * A time-series chart (uPlot: canvas, fast with tens of thousands of points). The plot is made
 * once per series name and fed new data with `setData`, so live updates do not rebuild it.
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export interface MetricChartProps {
  label: string;
  /** Seconds since the epoch, ascending. */
  xs: readonly number[];
  ys: readonly number[];
}

export function MetricChart({ label, xs, ys }: MetricChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);

  useEffect(() => {
    const element = box.current!;
    const width = () => Math.max(240, element.clientWidth);
    const chart = new uPlot(
      {
        width: width(),
        height: 260,
        series: [{}, {
          label,
          stroke: "#2f6fde",
          width: 2,
          fill: "rgba(47,111,222,0.08)",
          points: { size: 4 },
        }],
        axes: [{ stroke: "#5b6473" }, { stroke: "#5b6473", size: 56 }],
        legend: { live: false },
        cursor: { drag: { x: true, y: false } },
      },
      [[...xs], [...ys]],
      element,
    );
    plot.current = chart;
    const observer = new ResizeObserver(() => chart.setSize({ width: width(), height: 260 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = undefined;
    };
  }, [label]);

  useEffect(() => plot.current?.setData([[...xs], [...ys]]), [xs, ys]);

  return (
    <figure class="chart">
      <div
        ref={box}
        role="img"
        aria-label={`Chart of ${label}, ${xs.length} points`}
        data-points={xs.length}
      />
    </figure>
  );
}
