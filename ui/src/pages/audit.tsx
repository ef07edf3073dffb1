/**
 * The audit log (admins only): every mutating call, newest first, 200 a page. The API pages by
 * cursor only, so the filters (actor, method, target, failures) apply to the pages loaded here;
 * "Load older" widens what they search.
 */
import { useEffect, useState } from "preact/hooks";
import type { SessionUser } from "../api_client.ts";
import { adminApi, type AuditRecord } from "../admin_api.ts";
import { type AuditFilter, filterAudit } from "../admin_model.ts";
import { formatTime } from "../format.ts";

const METHODS = ["POST", "PUT", "PATCH", "DELETE"];

export function AuditPage({ user }: { user: SessionUser }) {
  const [records, setRecords] = useState<AuditRecord[]>();
  const [next, setNext] = useState<string>();
  const [filter, setFilter] = useState<AuditFilter>({});
  const [error, setError] = useState<string>();
  const admin = user.role === "admin";

  const load = async (cursor?: string) => {
    try {
      const page = await adminApi.audit(cursor);
      setRecords((old) => [...(cursor ? old ?? [] : []), ...page.items]);
      setNext(page.next);
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => void (admin && load()), [admin]);
  if (!admin) return <p class="muted">The audit log is for administrators.</p>;

  const actors = [...new Set((records ?? []).map((r) => r.actor))].sort();
  const shown = filterAudit(records ?? [], filter);
  const set = (change: Partial<AuditFilter>) => {
    const merged: Record<string, unknown> = { ...filter, ...change };
    for (const key of Object.keys(merged)) if (!merged[key]) delete merged[key];
    setFilter(merged as AuditFilter);
  };

  return (
    <section class="audit" aria-labelledby="audit-title">
      <div class="page-head">
        <h1 id="audit-title">Audit log</h1>
        <button type="button" class="secondary" onClick={() => load()}>Refresh</button>
      </div>
      <div class="filters" role="search">
        <label>
          Actor
          <select
            name="actor"
            value={filter.actor ?? ""}
            onChange={(e) => set({ actor: e.currentTarget.value })}
          >
            <option value="">Anyone</option>
            {actors.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </label>
        <label>
          Method
          <select
            name="method"
            value={filter.method ?? ""}
            onChange={(e) => set({ method: e.currentTarget.value })}
          >
            <option value="">Any</option>
            {METHODS.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </label>
        <label>
          Target contains
          <input
            name="target"
            value={filter.target ?? ""}
            onInput={(e) => set({ target: e.currentTarget.value })}
          />
        </label>
        <label class="check">
          <input
            type="checkbox"
            name="failed"
            checked={filter.failedOnly ?? false}
            onChange={(e) => set({ failedOnly: e.currentTarget.checked })}
          />
          Refused only (4xx/5xx)
        </label>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {records && (
        <p class="muted" aria-live="polite">
          {shown.length} of the {records.length} entries loaded{next ? " (older ones: Load older)" : ""}.
        </p>
      )}
      {records && (
        <table class="table audit-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.id} data-audit-action={r.action} data-audit-target={r.target}>
                <td>
                  <time dateTime={r.at}>{formatTime(r.at)}</time>
                </td>
                <td>{r.actor}</td>
                <td>
                  <code>{r.action}</code>
                </td>
                <td>
                  <code>{r.target}</code>
                </td>
                <td class={r.status >= 400 ? "error-text" : ""}>{r.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && <button type="button" class="secondary" onClick={() => load(next)}>Load older</button>}
    </section>
  );
}
