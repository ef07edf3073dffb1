/**
 * The shadow: what the device reported, what is desired, the difference still to apply, and an
 * editor that sends a JSON merge patch (RFC 7386: `null` removes a key) to the desired state.
 */
import { useEffect, useState } from "preact/hooks";
import { api, type DeviceState, type JsonObject } from "../api_client.ts";
import { ago, json } from "../format.ts";
import type { LiveEvent } from "../live_stream.ts";
import { reloadAfterEvent } from "../reload_after_event.ts";

export function StatePanel(
  { deviceId, events, canEdit }: { deviceId: string; events: readonly LiveEvent[]; canEdit: boolean },
) {
  const [state, setState] = useState<DeviceState>();
  const [patch, setPatch] = useState("");
  const [message, setMessage] = useState<{ kind: "error" | "ok"; text: string }>();
  const load = () =>
    api.state(deviceId).then((s) => (setState(s), s), (e: Error) => {
      setMessage({ kind: "error", text: e.message });
      return undefined;
    });
  useEffect(() => void load(), [deviceId]);
  useEffect(() => {
    if (
      events.some((e) =>
        e.type.startsWith("device.state.") || e.type.startsWith("device.connect") ||
        e.type === "device.disconnected"
      )
    ) {
      void reloadAfterEvent(load);
    }
  }, [events]);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    let body: unknown;
    try {
      body = JSON.parse(patch);
    } catch (e) {
      return setMessage({ kind: "error", text: `Not valid JSON: ${(e as Error).message}` });
    }
    if (!body || typeof body !== "object" || Array.isArray(body) || Object.keys(body).length === 0) {
      return setMessage({ kind: "error", text: "Expected a JSON object with at least one key." });
    }
    try {
      setState(await api.patchDesired(deviceId, body as JsonObject));
      setMessage({ kind: "ok", text: "Desired state updated; the delta was sent to the device." });
      setPatch("");
    } catch (e) {
      setMessage({ kind: "error", text: (e as Error).message });
    }
  };

  return (
    <section class="panel state" aria-labelledby="state-title">
      <h2 id="state-title">State</h2>
      {state && (
        <>
          <p class="muted">
            Version {state.version} · {state.connected ? "connected" : "offline"} · last seen{" "}
            {ago(state.lastSeen)}
          </p>
          <div class="state-grid">
            <StateBlock title="Reported" value={state.reported} id="state-reported" />
            <StateBlock title="Desired" value={state.desired} id="state-desired" />
            <StateBlock title="Delta (not yet applied)" value={state.delta} id="state-delta" />
          </div>
        </>
      )}
      {canEdit && (
        <form onSubmit={submit} class="stack">
          <label>
            <span>
              Change desired state (JSON merge patch; <code>null</code> removes a key)
            </span>
            <textarea
              name="desired"
              rows={4}
              spellcheck={false}
              placeholder='{"led": "on"}'
              value={patch}
              onInput={(e) => setPatch(e.currentTarget.value)}
            />
          </label>
          <button type="submit" disabled={!patch.trim()}>Apply desired state</button>
        </form>
      )}
      {message && (
        <p class={message.kind} role={message.kind === "error" ? "alert" : "status"}>{message.text}</p>
      )}
    </section>
  );
}

function StateBlock({ title, value, id }: { title: string; value: JsonObject; id: string }) {
  return (
    <div class="state-block">
      <h3 id={`${id}-title`}>{title}</h3>
      <pre aria-labelledby={`${id}-title`} data-state={id}>{json(value)}</pre>
    </div>
  );
}
