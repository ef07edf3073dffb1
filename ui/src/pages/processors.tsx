/**
 * The processors view: each processor's consumer lag per topic, events per second, dead letters,
 * retries and health, from `GET /metrics` (public Prometheus text, parsed here) scraped every
 * 5 s, and `/readyz` (why a processor is stalled or failed: shown to admins only). It shows the
 * processors of the process serving the dashboard — in a split deployment, the API role's — and
 * its memory (resident set, V8 heap per thread). Below
 * them, the retention of each store (`GET /api/v1/retention`).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { adminApi, type ReadinessCheck } from "../admin_api.ts";
import { parsePrometheusText } from "../prometheus_text.ts";
import { processorProblems, type ProcessorRow, processorRows, type Scrape } from "../processors_model.ts";
import { RetentionPanel } from "../components/retention_panel.tsx";
import { type MemorySummary, memorySummary, memoryText } from "../memory_model.ts";

const SCRAPE_MS = 5_000;

export function ProcessorsPage() {
  const [rows, setRows] = useState<ProcessorRow[]>();
  const [checks, setChecks] = useState<ReadinessCheck[]>([]);
  const [error, setError] = useState<string>();
  const [memory, setMemory] = useState<MemorySummary>();
  const previous = useRef<Scrape | undefined>(undefined);

  useEffect(() => {
    let stopped = false;
    const scrape = async () => {
      try {
        const [text, readiness] = await Promise.all([adminApi.metricsText(), adminApi.readiness()]);
        if (stopped) return;
        const current = { at: Date.now(), samples: parsePrometheusText(text) };
        const names = processorRows(current).map((r) => r.processor);
        const detail = readiness.checks.find((c) => c.name === "processors")?.detail ?? "";
        setRows(processorRows(current, previous.current, processorProblems(detail, names)));
        setChecks(readiness.checks);
        setMemory(memorySummary(current.samples));
        setError(undefined);
        previous.current = current;
      } catch (e) {
        if (!stopped) setError((e as Error).message);
      }
    };
    void scrape();
    const timer = setInterval(scrape, SCRAPE_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);

  return (
    <section class="processors" aria-labelledby="processors-title">
      <div class="page-head">
        <h1 id="processors-title">Processors</h1>
        <p class="summary">
          From /metrics every {SCRAPE_MS / 1000} s; events/s between the last two scrapes.
        </p>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {memory && memoryText(memory) && (
        <p class="muted memory" data-memory-rss={memory.residentBytes}>Memory: {memoryText(memory)}</p>
      )}
      <ul class="chips readiness" aria-label="Readiness checks">
        {checks.map((c) => (
          <li key={c.name} class={`badge ${c.ok ? "ack-ok" : "failed"}`} title={c.detail} data-check={c.name}>
            {c.name}: {c.ok ? "ok" : "not ready"}
          </li>
        ))}
      </ul>
      {!rows
        ? <p aria-busy="true">Loading…</p>
        : rows.length === 0
        ? <p class="muted">This process runs no processors.</p>
        : (
          <table class="table processor-table">
            <thead>
              <tr>
                <th scope="col">Processor</th>
                <th scope="col">Health</th>
                <th scope="col">Lag (per topic)</th>
                <th scope="col">Events/s</th>
                <th scope="col">Events</th>
                <th scope="col">Dead letters</th>
                <th scope="col">Retries</th>
                <th scope="col">Last problem</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.processor} data-processor={row.processor}>
                  <th scope="row">{row.processor}</th>
                  <td>
                    <span
                      class={`badge ${
                        row.health === "running" ? "ack-ok" : row.health === "unknown" ? "" : "failed"
                      }`}
                    >
                      {row.health}
                    </span>
                  </td>
                  <td data-lag={row.totalLag}>
                    {row.lag.length === 0 ? "—" : row.lag.map((l) => (
                      <div key={l.topic} data-topic={l.topic}>
                        <span class="muted">{l.topic}</span> {l.lag}
                      </div>
                    ))}
                  </td>
                  <td data-rate={row.eventsPerSecond}>
                    {row.eventsPerSecond === undefined ? "…" : row.eventsPerSecond.toFixed(1)}
                  </td>
                  <td data-events={row.eventsTotal}>{row.eventsTotal}</td>
                  <td>{row.deadLetters}</td>
                  <td>{row.retries}</td>
                  <td class="problem">{row.problem ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      <RetentionPanel />
    </section>
  );
}
