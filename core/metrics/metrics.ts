/**
 * A small metrics registry rendered as Prometheus text (exposition format 0.0.4): counters,
 * gauges (set or read at scrape time) and histograms, with labels. Pure: adapters and the runner
 * report into it, `GET /metrics` renders it.
 */

type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  series: Map<string, { labels: Labels; value: number; buckets?: number[]; sum?: number }>;
  collect?: () => { labels: Labels; value: number }[];
  bounds?: number[];
}

const labelText = (labels: Labels) => {
  const parts = Object.entries(labels).map(([k, v]) =>
    `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`
  );
  return parts.length ? `{${parts.join(",")}}` : "";
};
const keyOf = (labels: Labels) => JSON.stringify(Object.entries(labels).sort());

/** Default latency buckets in seconds: 1 ms … 10 s. */
export const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Metrics {
  readonly #families = new Map<string, Family>();

  #family(name: string, help: string, type: Family["type"], bounds?: number[]): Family {
    let family = this.#families.get(name);
    if (!family) {
      family = { name, help, type, series: new Map(), ...(bounds ? { bounds } : {}) };
      this.#families.set(name, family);
    }
    return family;
  }

  /** Adds `by` (default 1) to a counter. */
  count(name: string, help: string, labels: Labels = {}, by = 1): void {
    const family = this.#family(name, help, "counter");
    const key = keyOf(labels);
    const series = family.series.get(key) ?? { labels, value: 0 };
    series.value += by;
    family.series.set(key, series);
  }

  set(name: string, help: string, labels: Labels, value: number): void {
    this.#family(name, help, "gauge").series.set(keyOf(labels), { labels, value });
  }

  /** A gauge whose values are read at scrape time. */
  gauge(name: string, help: string, collect: () => { labels: Labels; value: number }[]): void {
    this.#family(name, help, "gauge").collect = collect;
  }

  observe(
    name: string,
    help: string,
    labels: Labels,
    value: number,
    bounds: number[] = LATENCY_BUCKETS,
  ): void {
    this.observeMany(name, help, labels, [value], bounds);
  }

  /** Observes several values of one histogram series at once (one label lookup for all of them). */
  observeMany(
    name: string,
    help: string,
    labels: Labels,
    values: Iterable<number>,
    bounds: number[] = LATENCY_BUCKETS,
  ): void {
    const family = this.#family(name, help, "histogram", bounds);
    const key = keyOf(labels);
    const series = family.series.get(key) ?? { labels, value: 0, buckets: bounds.map(() => 0), sum: 0 };
    const buckets = series.buckets!;
    for (const value of values) {
      series.value += 1;
      series.sum! += value;
      // Bounds ascend: every bucket from the first that holds the value on counts it.
      let i = 0;
      while (i < bounds.length && !(value <= bounds[i]!)) i++;
      for (; i < bounds.length; i++) buckets[i]! += 1;
    }
    family.series.set(key, series);
  }

  /** Prometheus text exposition. */
  render(): string {
    const lines: string[] = [];
    for (const family of this.#families.values()) {
      lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
      const series = family.collect ? family.collect() : [...family.series.values()];
      for (const s of series) {
        if (family.type !== "histogram") {
          lines.push(`${family.name}${labelText(s.labels)} ${s.value}`);
          continue;
        }
        const full = s as { labels: Labels; value: number; buckets: number[]; sum: number };
        family.bounds!.forEach((bound, i) =>
          lines.push(
            `${family.name}_bucket${labelText({ ...s.labels, le: String(bound) })} ${full.buckets[i]}`,
          )
        );
        lines.push(`${family.name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${full.value}`);
        lines.push(`${family.name}_sum${labelText(s.labels)} ${full.sum}`);
        lines.push(`${family.name}_count${labelText(s.labels)} ${full.value}`);
      }
    }
    return lines.join("\n") + "\n";
  }
}
