/**
 * The shadow: what the device reported, what is desired, the difference still to apply, and an
 * editor that sends a JSON merge patch (RFC 7386: `null` removes a key) to the desired state.
 * "As of" shows the shadow as it was at a past time, read-only, until "Now".
 */
import { useEffect, useState } from "preact/hooks";
import { api, type DeviceState, type JsonObject } from "../api_client.ts";
import { isoOfLocal } from "../as_of.ts";
import { ago, formatTime, json } from "../format.ts";
import type { LiveEvent } from "../live_stream.ts";
import { reloadAfterEvent } from "../reload_after_event.ts";

export function StatePanel(
  { deviceId, events, canEdit }: { deviceId: string; events: readonly LiveEvent[]; canEdit: boolean },
) {
  const [state, setState] = useState<DeviceState>();
  const [patch, setPatch] = useState("");
  const [message, setMessage] = useState<{ kind: "error" | "ok"; text: string }>();
  const [asOfInput, setAsOfInput] = useState("");
  // The past being viewed: its time, and its state once fetched.
  const [past, setPast] = useState<{ at: string; state?: DeviceState }>();
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

  useEffect(() => setPast(undefined), [deviceId]);
  const showAsOf = async (event: SubmitEvent) => {
    event.preventDefault();
    const at = isoOfLocal(asOfInput);
    if (!at) return setMessage({ kind: "error", text: "Choose a date and time to show." });
    setMessage(undefined);
    setPast({ at });
    try {
      const state = await api.stateAt(deviceId, at);
      setPast((p) => (p?.at === at ? { at, state } : p));
    } catch (e) {
      setPast((p) => (p?.at === at ? undefined : p));
      setMessage({ kind: "error", text: (e as Error).message });
    }
  };
  const now = () => {
    setPast(undefined);
    setAsOfInput("");
    setMessage(undefined);
  };
  const shown = past ? past.state : state;

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
      <form class="as-of" onSubmit={showAsOf}>
        <label>
          As of
          <input
            type="datetime-local"
            name="at"
            step={1}
            value={asOfInput}
            onInput={(e) => setAsOfInput(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="secondary" disabled={!asOfInput}>Show</button>
        <button type="button" class="secondary" onClick={now} disabled={!past}>Now</button>
      </form>
      {past && (
        <p class="as-of-label" role="status">
          {past.state ? `State at ${formatTime(past.at)}` : `Loading the state at ${formatTime(past.at)}…`}
          {" "}
          (read-only)
        </p>
      )}
      {shown && (
        <>
          <p class="muted">
            Version {shown.version} · {shown.connected ? "connected" : "offline"} · last seen{" "}
            {ago(shown.lastSeen)}
          </p>
          <div class={past ? "state-grid past" : "state-grid"}>
            <StateBlock title="Reported" value={shown.reported} id="state-reported" />
            <StateBlock title="Desired" value={shown.desired} id="state-desired" />
            <StateBlock title="Delta (not yet applied)" value={shown.delta} id="state-delta" />
          </div>
        </>
      )}
      {canEdit && !past && (
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
