/**
 * The fleet-wide dead-letter queue: rejected uplinks of every device (or one), newest first,
 * 200 a page, with counts by kind of reason. The API lists and does not aggregate, so the counts
 * are of the pages loaded here, and say so.
 */
import { useEffect, useState } from "preact/hooks";
import type { DlqRow } from "../api_client.ts";
import { adminApi } from "../admin_api.ts";
import { countReasons, payloadPreview, reasonKind } from "../dlq_model.ts";
import { formatTime } from "../format.ts";
import { href } from "../router.ts";

export function DlqPage() {
  const [device, setDevice] = useState("");
  const [applied, setApplied] = useState("");
  const [items, setItems] = useState<DlqRow[]>();
  const [next, setNext] = useState<string>();
  const [kind, setKind] = useState<string>();
  const [error, setError] = useState<string>();

  const load = async (filter: string, cursor?: string) => {
    try {
      const page = await adminApi.dlq({
        ...(filter ? { device: filter } : {}),
        ...(cursor ? { cursor } : {}),
      });
      setItems((old) => [...(cursor ? old ?? [] : []), ...page.items]);
      setNext(page.next);
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => void load(applied), [applied]);

  const counts = countReasons(items ?? []);
  const shown = (items ?? []).filter((item) => !kind || reasonKind(item.reason) === kind);

  return (
    <section class="dlq-page" aria-labelledby="dlq-page-title">
      <div class="page-head">
        <h1 id="dlq-page-title">Dead letters</h1>
        <p class="summary">Uplinks the platform refused, with why.</p>
      </div>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setKind(undefined);
          setApplied(device.trim());
        }}
      >
        <label>
          Device
          <input
            name="device"
            placeholder="every device"
            value={device}
            onInput={(e) => setDevice(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Apply filter</button>
        <button type="button" class="secondary" onClick={() => load(applied)}>Refresh</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {items && (
        <div class="panel">
          <h2>By reason</h2>
          <p class="muted">
            Counted over the {items.length}{" "}
            entries loaded{next ? " (more are older: load them to count them)" : ""}.
          </p>
          <table class="table reason-counts">
            <thead>
              <tr>
                <th scope="col">Reason</th>
                <th scope="col">Count</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {counts.map((c) => (
                <tr key={c.kind} data-reason-kind={c.kind}>
                  <td>{c.kind}</td>
                  <td data-count>{c.count}</td>
                  <td>
                    <button
                      type="button"
                      class="link-button"
                      aria-pressed={kind === c.kind}
                      onClick={() => setKind(kind === c.kind ? undefined : c.kind)}
                    >
                      {kind === c.kind ? "Show all" : "Only these"}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!items
        ? <p aria-busy="true">Loading…</p>
        : shown.length === 0
        ? <p class="muted">Nothing rejected.</p>
        : (
          <ul class="dlq-list panel" aria-label="Rejected uplinks">
            {shown.map((item) => (
              <li key={item.id} data-dlq={item.id}>
                <strong class="reason" data-reason>{item.reason}</strong>
                <small>
                  {formatTime(item.at)} · {item.deviceId
                    ? <a href={href({ page: "device", id: item.deviceId })}>{item.deviceId}</a>
                    : "unknown device"} · {item.topic}
                </small>
                <code class="payload">{payloadPreview(item.payload)}</code>
              </li>
            ))}
          </ul>
        )}
      {next && (
        <button type="button" class="secondary" onClick={() => load(applied, next)}>
          Load older
        </button>
      )}
    </section>
  );
}
