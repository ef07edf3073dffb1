/**
 * The retention panel of the processors view: per store (each log topic, raw points, each rollup
 * level, dead letters) how long data is kept, who deletes it and the age of the oldest data held,
 * from `GET /api/v1/retention`, loaded when the view opens and every minute (it changes slowly).
 */
import { useEffect, useState } from "preact/hooks";
import { answerOf } from "../api_client.ts";
import { formatTime } from "../format.ts";
import {
  type RetentionLine,
  retentionLines,
  type RetentionReport,
  STORE_TITLES,
} from "../retention_model.ts";

const RELOAD_MS = 60_000;

async function loadRetention(): Promise<RetentionReport> {
  const response = await fetch("/api/v1/retention", { credentials: "same-origin" });
  return await answerOf<RetentionReport>(response, "/retention");
}

export function RetentionPanel() {
  const [report, setReport] = useState<RetentionReport>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let stopped = false;
    const load = () =>
      loadRetention().then(
        (r) => !stopped && (setReport(r), setError(undefined)),
        (e: Error) => !stopped && setError(e.message),
      );
    void load();
    const timer = setInterval(load, RELOAD_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);

  const lines = report ? retentionLines(report, Date.now()) : [];
  return (
    <section class="panel retention" aria-labelledby="retention-title">
      <h2 id="retention-title">Retention</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {!report ? (!error && <p aria-busy="true">Loading…</p>) : (
        <>
          <p class="summary">
            Log on {report.engines.log}, time series on {report.engines.timeseries}; sweeps every{" "}
            {Math.round(report.sweepIntervalMs / 60_000)} min, in small chunks beside ingest.
          </p>
          <table class="table retention-table">
            <thead>
              <tr>
                <th scope="col">Store</th>
                <th scope="col">Data</th>
                <th scope="col">Kept for</th>
                <th scope="col">Deleted by</th>
                <th scope="col">Oldest held</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((line: RetentionLine) => (
                <tr key={`${line.store}/${line.name}`} data-retention={`${line.store}/${line.name}`}>
                  <td>{STORE_TITLES[line.store]}</td>
                  <th scope="row">{line.name}</th>
                  <td data-kept={line.retention}>{line.retention}</td>
                  <td>{line.enforcedBy}</td>
                  <td title={line.oldest ? formatTime(line.oldest) : undefined}>
                    {line.oldestAge}
                    {line.behind && <span class="badge failed">behind</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
