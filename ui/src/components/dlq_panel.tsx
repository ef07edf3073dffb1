/** The device's recent rejected uplinks (the dead-letter queue) with why each was refused. */
import { useEffect, useState } from "preact/hooks";
import { api, type DlqRow } from "../api_client.ts";
import { formatTime } from "../format.ts";
import type { LiveEvent } from "../live_stream.ts";
import { reloadAfterEvent } from "../reload_after_event.ts";

/** The payload as text when it is UTF-8, shortened; else its size. */
function preview(base64: string): string {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return `(${bytes.length} bytes of binary)`;
  }
}

export function DlqPanel({ deviceId, events }: { deviceId: string; events: readonly LiveEvent[] }) {
  const [items, setItems] = useState<DlqRow[]>([]);
  const [error, setError] = useState<string>();
  const load = () =>
    api.dlq(deviceId).then((page) => (setItems(page.items), page.items), (e: Error) => {
      setError(e.message);
      return undefined;
    });

  useEffect(() => void load(), [deviceId]);
  useEffect(() => {
    if (events.some((e) => e.type === "input.rejected")) void reloadAfterEvent(load);
  }, [events]);

  return (
    <section class="panel dlq" aria-labelledby="dlq-title">
      <h2 id="dlq-title">Rejected uplinks</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {items.length === 0 ? <p class="muted">Nothing rejected.</p> : (
        <ul class="dlq-list">
          {items.map((item) => (
            <li key={item.id}>
              <div>
                <strong class="reason" data-reason>{item.reason}</strong>
              </div>
              <small>{formatTime(item.at)} · {item.topic}</small>
              <code class="payload">{preview(item.payload)}</code>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
