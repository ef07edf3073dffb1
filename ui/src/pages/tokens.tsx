/**
 * Machine API tokens (admins only): create one with a role — the token is shown once — list
 * them (never the tokens themselves) and revoke.
 */
import { useEffect, useState } from "preact/hooks";
import { ROLE_OPTIONS } from "../admin_model.ts";
import type { Role, SessionUser } from "../api_client.ts";
import { adminApi, type ApiTokenInfo } from "../admin_api.ts";
import { formatTime } from "../format.ts";
import { ConfirmAction } from "../components/confirm_action.tsx";
import { SecretOnce } from "../components/secret_once.tsx";

export function TokensPage({ user }: { user: SessionUser }) {
  const [tokens, setTokens] = useState<ApiTokenInfo[]>();
  const [form, setForm] = useState({ name: "", role: "viewer" as Role });
  const [created, setCreated] = useState<string>();
  const [error, setError] = useState<string>();
  const admin = user.role === "admin";

  const fail = (e: Error) => setError(e.message);
  const load = () => adminApi.tokens().then(({ items }) => setTokens(items), fail);
  useEffect(() => void (admin && load()), [admin]);
  if (!admin) return <p class="muted">API tokens are managed by administrators.</p>;

  const create = async (event: Event) => {
    event.preventDefault();
    try {
      setCreated((await adminApi.createToken(form)).token);
      setForm({ name: "", role: form.role });
      setError(undefined);
      await load();
    } catch (e) {
      fail(e as Error);
    }
  };

  return (
    <section class="tokens" aria-labelledby="tokens-title">
      <div class="page-head">
        <h1 id="tokens-title">API tokens</h1>
        <p class="summary">
          For machines: send as <code>Authorization: Bearer …</code>.
        </p>
      </div>
      <form class="filters panel" onSubmit={create} aria-label="Create an API token">
        <label>
          Token name
          <input
            name="tokenName"
            required
            value={form.name}
            onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
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
        <button type="submit">Create token</button>
      </form>
      {created && (
        <SecretOnce
          label="API token (shown once)"
          value={created}
          onDone={() => setCreated(undefined)}
        />
      )}
      {error && <p class="error" role="alert">{error}</p>}
      {!tokens
        ? <p aria-busy="true">Loading…</p>
        : tokens.length === 0
        ? <p class="muted">No API tokens.</p>
        : (
          <table class="table admin-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">By</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.name} data-token={t.name}>
                  <th scope="row">{t.name}</th>
                  <td>
                    <span class="badge">{t.role}</span>
                  </td>
                  <td>{formatTime(t.createdAt)}</td>
                  <td>{t.createdBy}</td>
                  <td class="row-actions">
                    <ConfirmAction
                      label="Revoke"
                      consequence="Machines using it are refused at once."
                      onConfirm={() => adminApi.revokeToken(t.name).then(load, fail)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </section>
  );
}
