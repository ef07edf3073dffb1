/**
 * Commands: send one (name, optional JSON parameters, timeout) and watch each move through
 * requested → dispatched → acked / failed / expired as the stream reports it.
 */
import { useEffect, useState } from "preact/hooks";
import { api, type CommandRow, type JsonObject } from "../api_client.ts";
import { ago, json } from "../format.ts";
import type { LiveEvent } from "../live_stream.ts";
import { reloadAfterEvent } from "../reload_after_event.ts";

export function CommandsPanel(
  { deviceId, events, canSend }: { deviceId: string; events: readonly LiveEvent[]; canSend: boolean },
) {
  const [commands, setCommands] = useState<CommandRow[]>([]);
  const [error, setError] = useState<string>();
  const load = () =>
    api.commands(deviceId).then(({ items }) => (setCommands(items), items), (e: Error) => {
      setError(e.message);
      return undefined;
    });

  useEffect(() => void load(), [deviceId]);
  useEffect(() => {
    if (events.some((e) => e.type.startsWith("command."))) void reloadAfterEvent(load);
  }, [events]);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const paramsText = String(form.get("params") ?? "").trim();
    let params: JsonObject | undefined;
    if (paramsText) {
      try {
        params = JSON.parse(paramsText);
      } catch (e) {
        return setError(`Parameters are not valid JSON: ${(e as Error).message}`);
      }
    }
    try {
      await api.sendCommand(deviceId, {
        name: String(form.get("name")),
        ...(params ? { params } : {}),
        timeoutSeconds: Number(form.get("timeout")) || 60,
      });
      setError(undefined);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section class="panel commands" aria-labelledby="commands-title">
      <h2 id="commands-title">Commands</h2>
      {canSend && (
        <form class="command-form" onSubmit={submit}>
          <label>
            Command name
            <input name="name" required pattern="[A-Za-z0-9_.:\-]{1,128}" placeholder="reboot" />
          </label>
          <label>
            Parameters (JSON, optional)
            <input name="params" placeholder='{"delay": 5}' spellcheck={false} />
          </label>
          <label>
            Timeout (s)
            <input name="timeout" type="number" min={1} max={86400} value={60} />
          </label>
          <button type="submit">Send command</button>
        </form>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      {commands.length === 0
        ? <p class="muted">No commands yet.</p>
        : (
          <ul class="command-list" aria-label="Recent commands">
            {commands.map((c) => (
              <li key={c.id} data-command={c.id}>
                <span class="cmd-name">{c.name}</span>
                <span class={`badge ${c.status}`} data-status={c.status}>{c.status}</span>
                {c.ackStatus && <span class={`badge ack-${c.ackStatus}`}>{c.ackStatus}</span>}
                <small>{ago(c.completedAt ?? c.dispatchedAt ?? c.requestedAt)}</small>
                {c.error && <span class="error-text">{c.error}</span>}
                {c.result !== undefined && <code class="result">{json(c.result)}</code>}
              </li>
            ))}
          </ul>
        )}
    </section>
  );
}
