/**
 * Subscribing an endpoint: URL, event types, description. The signing secret comes back once, in
 * the creation's answer; it is shown here with a copy button and then never again.
 */
import { useState } from "preact/hooks";
import { api, ApiError, type FieldIssue } from "../api_client.ts";
import { EventTypePicker } from "./event_type_picker.tsx";
import { FieldError, invalidProps } from "./field_error.tsx";

const FIELDS = new Set(["url", "types", "description"]);
const DEFAULT_TYPES = ["alert.raised"];

export function WebhookForm({ onCreated }: { onCreated(): void }) {
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [types, setTypes] = useState<Set<string>>(() => new Set(DEFAULT_TYPES));
  const [issues, setIssues] = useState<readonly FieldIssue[]>([]);
  const [secret, setSecret] = useState<string>();
  const [note, setNote] = useState<string>();
  const [busy, setBusy] = useState(false);

  const errors = new Map<string, string>();
  for (const { path, message } of issues) {
    const field = path.split(".")[0] ?? "";
    const key = FIELDS.has(field) ? field : "";
    errors.set(key, errors.has(key) ? `${errors.get(key)}; ${message}` : message);
  }

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (types.size === 0) return setIssues([{ path: "types", message: "choose at least one event type" }]);
    setBusy(true);
    try {
      const created = await api.createWebhook({
        url: url.trim(),
        types: [...types],
        ...(description.trim() ? { description: description.trim() } : {}),
      });
      setSecret(created.secret);
      setIssues([]);
      setNote(undefined);
      setUrl("");
      setDescription("");
      setTypes(new Set(DEFAULT_TYPES));
      onCreated();
    } catch (e) {
      setIssues(
        e instanceof ApiError && e.details.length ? e.details : [{ path: "", message: (e as Error).message }],
      );
    } finally {
      setBusy(false);
    }
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret ?? "");
      setNote("Copied to the clipboard.");
    } catch {
      setNote("Copying is not allowed here: select the secret and copy it.");
    }
  };

  if (secret) {
    return (
      <div class="panel new-secret" role="region" aria-label="New webhook secret">
        <p class="warning" role="alert">
          Copy this signing secret now: it is shown only once. Your endpoint verifies each delivery's
          <code>webhook-signature</code> with it (Standard Webhooks).
        </p>
        <div class="new-token">
          <label>
            Signing secret (shown once)
            <input readOnly value={secret} name="secret" onFocus={(e) => e.currentTarget.select()} />
          </label>
          <button type="button" onClick={copy}>Copy</button>
          <button type="button" class="secondary" onClick={() => setSecret(undefined)}>Done</button>
        </div>
        {note && <p role="status" class="muted">{note}</p>}
      </div>
    );
  }

  return (
    <form class="panel webhook-form" onSubmit={submit} aria-labelledby="webhook-form-title" noValidate>
      <h2 id="webhook-form-title">New webhook</h2>
      {errors.get("") && <p class="error" role="alert">{errors.get("")}</p>}
      <label>
        Endpoint URL
        <input
          name="url"
          type="url"
          required
          placeholder="https://example.com/aiot-hook"
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
          {...invalidProps(errors, "url")}
        />
        <FieldError errors={errors} path="url" />
      </label>
      <label>
        Description (optional)
        <input
          name="description"
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
        <FieldError errors={errors} path="description" />
      </label>
      <fieldset class="types">
        <legend>Event types</legend>
        <EventTypePicker selected={types} onChange={setTypes} />
        <FieldError errors={errors} path="types" />
      </fieldset>
      <button type="submit" disabled={busy}>Create webhook</button>
    </form>
  );
}
