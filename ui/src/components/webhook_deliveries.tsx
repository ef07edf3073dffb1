/**
 * A webhook's delivery log: each event sent (or being retried, or given up on) with its attempts,
 * the endpoint's last HTTP status and the next retry. Deliveries are not events on the stream,
 * so the log is polled while it is open.
 */
import { useEffect, useState } from "preact/hooks";
import { api, type Delivery } from "../api_client.ts";
import { formatTime } from "../format.ts";

const POLL_MS = 3000;

export function WebhookDeliveries({ webhookId }: { webhookId: string }) {
  const [items, setItems] = useState<Delivery[]>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const page = await api.deliveries(webhookId);
        if (!stopped) (setItems(page.items), setError(undefined));
      } catch (e) {
        if (!stopped) setError((e as Error).message);
      }
      if (!stopped) timer = setTimeout(load, POLL_MS);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [webhookId]);

  if (error) return <p class="error" role="alert">{error}</p>;
  if (!items) return <p aria-busy="true">Loading deliveries…</p>;
  if (items.length === 0) return <p class="muted" data-deliveries="0">No deliveries yet.</p>;
  return (
    <table class="table deliveries" data-deliveries={items.length}>
      <caption>Deliveries, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Event</th>
          <th scope="col">Status</th>
          <th scope="col">Attempts</th>
          <th scope="col">Last HTTP status</th>
          <th scope="col">Next attempt</th>
        </tr>
      </thead>
      <tbody>
        {items.map((d) => (
          <tr key={d.id} data-delivery={d.id} data-status={d.status}>
            <td>
              <span class="event-type">{d.type}</span> <small class="muted">{d.eventId}</small>
            </td>
            <td>
              <span class={`badge delivery-${d.status}`}>{d.status}</span>
            </td>
            <td>{d.attempts}</td>
            <td>
              {d.lastStatus ?? "—"}
              {d.lastError && <small class="error-text">{d.lastError}</small>}
            </td>
            <td>{d.nextAttemptAt === undefined ? "—" : formatTime(d.nextAttemptAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
