/**
 * Registering a device from the dashboard (operators and admins): optional id, name and labels;
 * the answer's token is shown once with a copy button. Certificates stay with the CLI
 * (`deno task aiot certs device <id>`): no API route issues them.
 */
import { useState } from "preact/hooks";
import { adminApi } from "../admin_api.ts";
import { parseLabels } from "../admin_model.ts";
import { href } from "../router.ts";
import { SecretOnce } from "./secret_once.tsx";

export function DeviceRegisterForm({ onRegistered }: { onRegistered(): void }) {
  const [form, setForm] = useState({ id: "", name: "", labels: "" });
  const [created, setCreated] = useState<{ id: string; token: string }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const labels = parseLabels(form.labels);
      const device = await adminApi.registerDevice({
        ...(form.id.trim() ? { id: form.id.trim() } : {}),
        ...(form.name.trim() ? { name: form.name.trim() } : {}),
        ...(Object.keys(labels).length ? { labels } : {}),
      });
      setCreated({ id: device.id, token: device.token });
      setForm({ id: "", name: "", labels: "" });
      onRegistered();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="panel register">
      <h2>Register a device</h2>
      <form class="filters" onSubmit={submit} aria-label="Register a device">
        <label>
          Device id (optional)
          <input
            name="deviceId"
            value={form.id}
            placeholder="generated"
            onInput={(e) => setForm({ ...form, id: e.currentTarget.value })}
          />
        </label>
        <label>
          Name
          <input
            name="deviceName"
            value={form.name}
            onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
          />
        </label>
        <label>
          Labels
          <input
            name="deviceLabels"
            value={form.labels}
            placeholder="site=north, kind=fridge"
            onInput={(e) => setForm({ ...form, labels: e.currentTarget.value })}
          />
        </label>
        <button type="submit" disabled={busy}>Register</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {created && (
        <>
          <p>
            Registered{" "}
            <a href={href({ page: "device", id: created.id })} data-registered={created.id}>{created.id}</a>.
            It connects over MQTT with its id as user name and this token as password.
          </p>
          <SecretOnce
            label="Device token (shown once)"
            value={created.token}
            onDone={() => setCreated(undefined)}
          />
        </>
      )}
    </div>
  );
}
