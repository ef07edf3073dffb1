/**
 * Reading the platform's `/metrics` (Prometheus text) in benches: one sample's value, one
 * histogram series' cumulative buckets, the difference of two scrapes of a histogram, and
 * quantiles interpolated within buckets the way Prometheus' `histogram_quantile` does.
 */

/** A histogram series: ascending upper bounds (without +Inf), cumulative counts, total count. */
export interface Histogram {
  bounds: number[];
  cumulative: number[];
  count: number;
  sum: number;
}

const labelsText = (labels: Record<string, string>) =>
  Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",");

/** The value of `name{labels}` (labels in the order the exporter writes them), or 0 when absent. */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const series = Object.keys(labels).length ? `${name}{${labelsText(labels)}}` : name;
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

/** The histogram `name` with the given labels (the exporter writes them before `le`). */
export function histogramOf(text: string, name: string, labels: Record<string, string>): Histogram {
  const prefix = `${name}_bucket{${labelsText(labels)}${Object.keys(labels).length ? "," : ""}le="`;
  const bounds: number[] = [];
  const cumulative: number[] = [];
  let count = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(prefix)) continue;
    const le = line.slice(prefix.length, line.indexOf('"', prefix.length));
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (le === "+Inf") count = value;
    else {
      bounds.push(Number(le));
      cumulative.push(value);
    }
  }
  return { bounds, cumulative, count, sum: sampleValue(text, `${name}_sum`, labels) };
}

/** What was observed between two scrapes of the same series (`before` may be empty: first scrape). */
export function histogramDelta(after: Histogram, before: Histogram): Histogram {
  return {
    bounds: after.bounds,
    cumulative: after.cumulative.map((c, i) => c - (before.cumulative[i] ?? 0)),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/**
 * The q-quantile, linearly interpolated within its bucket (0 is the lower edge of the first).
 * `total` (default: the observed count) lets events that were never observed (not stored yet)
 * count as larger than every bound. Returns `{ value }`, or `{ above }` with the largest finite
 * bound when the quantile lies beyond it, or `{}` when nothing was observed.
 */
export function quantile(
  h: Histogram,
  q: number,
  total: number = h.count,
): { value?: number; above?: number } {
  if (total <= 0 || h.count <= 0) return {};
  const rank = q * total;
  for (let i = 0; i < h.bounds.length; i++) {
    const upTo = h.cumulative[i]!;
    if (upTo >= rank) {
      const below = i === 0 ? 0 : h.cumulative[i - 1]!;
      const lower = i === 0 ? 0 : h.bounds[i - 1]!;
      const inBucket = upTo - below;
      return { value: inBucket > 0 ? lower + (h.bounds[i]! - lower) * ((rank - below) / inBucket) : lower };
    }
  }
  return { above: h.bounds[h.bounds.length - 1] ?? 0 };
}
