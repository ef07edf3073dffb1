/** The login form: user name and password, errors announced to screen readers. */
import { useState } from "preact/hooks";
import { api, ApiError, type SessionUser } from "../api_client.ts";
import { storeSession } from "../session.ts";

export function LoginPage({ onLogin }: { onLogin(user: SessionUser): void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      const { user, expiresAt } = await api.login(String(form.get("username")), String(form.get("password")));
      storeSession(user, expiresAt);
      onLogin(user);
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 401 ? "Wrong user name or password." : (e as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">AIOT</h1>
        <label>
          User name
          <input name="username" autocomplete="username" required autofocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? "Logging in…" : "Log in"}</button>
      </form>
    </main>
  );
}
