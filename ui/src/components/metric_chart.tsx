/**
 * A time-series chart (uPlot: canvas, fast with tens of thousands of points). The plot is made
 * once per series name and fed new data with `setData`, so live updates do not rebuild it.
 * Optional shaded bands (e.g. would-be alert intervals) are drawn behind the series, and an
 * optional fixed x range shows a whole period even where it has no points.
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export interface MetricChartProps {
  label: string;
  /** Seconds since the epoch, ascending. */
  xs: readonly number[];
  ys: readonly number[];
  /** Shaded intervals, in seconds since the epoch like `xs`. */
  bands?: readonly { from: number; to: number }[];
  /** The x range to show, in seconds; default: the data's. */
  xRange?: readonly [number, number];
}

const BAND_FILL = "rgba(179,38,30,0.16)";

export function MetricChart({ label, xs, ys, bands, xRange }: MetricChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  // Read by the plot's hooks, which outlive a render.
  const extras = useRef({ bands, xRange });
  extras.current = { bands, xRange };

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
        // A fixed range is chosen when the chart is made (uPlot's own ranging otherwise).
        ...(xRange ? { scales: { x: { time: true, range: () => [...extras.current.xRange!] } } } : {}),
        hooks: { drawClear: [(u) => drawBands(u, extras.current.bands ?? [])] },
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

  useEffect(() => plot.current?.setData([[...xs], [...ys]]), [xs, ys, xRange?.[0], xRange?.[1]]);
  // Bands are drawn by a hook: new ones need a redraw (a full one: a partial redraw before the
  // plot's first layout finds no axes to draw).
  useEffect(() => {
    if (bands) plot.current?.redraw();
  }, [bands]);

  return (
    <figure class="chart">
      <div
        ref={box}
        role="img"
        aria-label={`Chart of ${label}, ${xs.length} points`}
        data-points={xs.length}
        data-bands={bands?.length ?? 0}
      />
    </figure>
  );
}

function drawBands(u: uPlot, bands: readonly { from: number; to: number }[]): void {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.fillStyle = BAND_FILL;
  for (const band of bands) {
    const left = Math.max(bbox.left, u.valToPos(band.from, "x", true));
    const right = Math.min(bbox.left + bbox.width, u.valToPos(band.to, "x", true));
    // At least a pixel wide, so an alert raised and cleared within one pixel still shows.
    if (right >= left) ctx.fillRect(left, bbox.top, Math.max(1, right - left), bbox.height);
  }
  ctx.restore();
}
