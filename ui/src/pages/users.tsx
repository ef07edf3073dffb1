/**
 * Users (admins only): create with a role, set a password (a forgotten one, a generated first
 * one: the user's sessions end), delete (its API tokens are revoked with it; never the last
 * admin). The API has no route to change a user's role: delete and create again.
 */
import { useEffect, useState } from "preact/hooks";
import { ROLE_OPTIONS } from "../admin_model.ts";
import type { Role, SessionUser } from "../api_client.ts";
import { adminApi, type UserInfo } from "../admin_api.ts";
import { formatTime } from "../format.ts";
import { ConfirmAction } from "../components/confirm_action.tsx";

export function UsersPage({ user }: { user: SessionUser }) {
  const [users, setUsers] = useState<UserInfo[]>();
  const [form, setForm] = useState({ username: "", password: "", role: "viewer" as Role });
  const [note, setNote] = useState<{ text: string; error?: boolean }>();
  const admin = user.role === "admin";

  const load = () => adminApi.users().then(({ items }) => setUsers(items), fail);
  const fail = (e: Error) => setNote({ text: e.message, error: true });
  useEffect(() => void (admin && load()), [admin]);
  if (!admin) return <p class="muted">Users are managed by administrators.</p>;

  const create = async (event: Event) => {
    event.preventDefault();
    try {
      await adminApi.createUser(form);
      setNote({ text: `Created ${form.role} "${form.username}".` });
      setForm({ username: "", password: "", role: form.role });
      await load();
    } catch (e) {
      fail(e as Error);
    }
  };

  return (
    <section class="users" aria-labelledby="users-title">
      <div class="page-head">
        <h1 id="users-title">Users</h1>
      </div>
      <form class="filters panel" onSubmit={create} aria-label="Create a user">
        <label>
          User name
          <input
            name="username"
            required
            value={form.username}
            onInput={(e) => setForm({ ...form, username: e.currentTarget.value })}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            value={form.password}
            onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
          />
        </label>
        <label>
          Role
          <select
            name="role"
            value={form.role}
            onChange={(e) => setForm({ ...form, role: e.currentTarget.value as Role })}
          >
            {ROLE_OPTIONS.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
        <button type="submit">Create user</button>
      </form>
      {note && <p role="status" class={note.error ? "error" : "muted"}>{note.text}</p>}
      {!users ? <p aria-busy="true">Loading…</p> : (
        <table class="table admin-table">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">Since</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.username} data-user={u.username}>
                <th scope="row">{u.username}</th>
                <td>
                  <span class="badge">{u.role}</span>
                </td>
                <td>{formatTime(u.createdAt)}</td>
                <td class="row-actions">
                  <SetPassword username={u.username} onDone={setNote} />
                  {u.username !== user.username && (
                    <ConfirmAction
                      label="Delete"
                      consequence="Its sessions end and the API tokens it created are revoked."
                      onConfirm={() => adminApi.deleteUser(u.username).then(load, fail)}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function SetPassword(
  { username, onDone }: { username: string; onDone(note: { text: string; error?: boolean }): void },
) {
  const [password, setPassword] = useState<string>();
  if (password === undefined) {
    return <button type="button" class="secondary" onClick={() => setPassword("")}>Set password…</button>;
  }
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      await adminApi.setPassword(username, password);
      onDone({ text: `Password of "${username}" set; its sessions ended.` });
      setPassword(undefined);
    } catch (e) {
      onDone({ text: (e as Error).message, error: true });
    }
  };
  return (
    <form class="inline-form" onSubmit={submit} aria-label={`New password for ${username}`}>
      <input
        type="password"
        aria-label="New password"
        autoComplete="new-password"
        minLength={8}
        required
        value={password}
        onInput={(e) => setPassword(e.currentTarget.value)}
      />
      <button type="submit">Set</button>
      <button type="button" class="secondary" onClick={() => setPassword(undefined)}>Cancel</button>
    </form>
  );
}
