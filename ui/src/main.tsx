/**
 * The dashboard's entry: the login gate, the navigation and the page for the current route.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, onUnauthorized, type SessionUser } from "./api_client.ts";
import { href, useRoute } from "./router.ts";
import { clearSession, storedSession } from "./session.ts";
import { LoginPage } from "./pages/login.tsx";
import { FleetPage } from "./pages/fleet.tsx";
import { DevicePage } from "./pages/device.tsx";
import { EventsPage } from "./pages/events.tsx";

function App() {
  const [user, setUser] = useState<SessionUser | undefined>(storedSession);
  const route = useRoute();

  useEffect(() => {
    onUnauthorized(() => {
      clearSession();
      setUser(undefined);
    });
  }, []);

  if (!user) return <LoginPage onLogin={setUser} />;

  const logout = async () => {
    await api.logout().catch(() => {});
    clearSession();
    setUser(undefined);
  };
  const current = (page: string) => route.page === page ? "page" : undefined;

  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="topbar">
        <span class="brand">AIOT</span>
        <nav aria-label="Main">
          <a href={href({ page: "fleet" })} aria-current={current("fleet")}>Fleet</a>
          <a href={href({ page: "events" })} aria-current={current("events")}>Events</a>
        </nav>
        <span class="who">
          {user.username} <span class="role">{user.role}</span>
        </span>
        <button type="button" class="link" onClick={logout}>Log out</button>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === "fleet" && <FleetPage />}
        {route.page === "device" && <DevicePage key={route.id} id={route.id} user={user} />}
        {route.page === "events" && <EventsPage />}
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
