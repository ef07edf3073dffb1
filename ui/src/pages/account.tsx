/**
 * One's own account: change the password (the current one is asked for; the other sessions
 * end, this one stays). Every logged-in role may: it is the user's own credential.
 */
import { useState } from "preact/hooks";
import type { SessionUser } from "../api_client.ts";
import { adminApi } from "../admin_api.ts";

export function AccountPage({ user }: { user: SessionUser }) {
  const [form, setForm] = useState({ current: "", next: "", repeat: "" });
  const [note, setNote] = useState<{ text: string; error?: boolean }>();

  const submit = async (event: Event) => {
    event.preventDefault();
    if (form.next !== form.repeat) return setNote({ text: "The new passwords differ.", error: true });
    try {
      await adminApi.changeOwnPassword(form.current, form.next);
      setForm({ current: "", next: "", repeat: "" });
      setNote({ text: "Password changed. Your other sessions were ended." });
    } catch (e) {
      setNote({ text: (e as Error).message, error: true });
    }
  };

  return (
    <section class="account" aria-labelledby="account-title">
      <div class="page-head">
        <h1 id="account-title">Your account</h1>
        <p class="summary">
          {user.username} <span class="badge">{user.role}</span>
        </p>
      </div>
      <form class="panel stack narrow" onSubmit={submit} aria-label="Change your password">
        <h2>Change your password</h2>
        <label>
          Current password
          <input
            type="password"
            name="current"
            autoComplete="current-password"
            required
            value={form.current}
            onInput={(e) => setForm({ ...form, current: e.currentTarget.value })}
          />
        </label>
        <label>
          New password (at least 8 characters)
          <input
            type="password"
            name="new"
            autoComplete="new-password"
            minLength={8}
            required
            value={form.next}
            onInput={(e) => setForm({ ...form, next: e.currentTarget.value })}
          />
        </label>
        <label>
          Repeat the new password
          <input
            type="password"
            name="repeat"
            autoComplete="new-password"
            minLength={8}
            required
            value={form.repeat}
            onInput={(e) => setForm({ ...form, repeat: e.currentTarget.value })}
          />
        </label>
        <button type="submit">Change password</button>
        {note && <p role="status" class={note.error ? "error" : "ok"}>{note.text}</p>}
      </form>
    </section>
  );
}
