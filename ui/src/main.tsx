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
import { AlertsPage } from "./pages/alerts.tsx";
import { RulesPage } from "./pages/rules.tsx";
import { RulePage } from "./pages/rule.tsx";
import { WebhooksPage } from "./pages/webhooks.tsx";
import { DataSection } from "./pages/data_section.tsx";
import { AdminSection } from "./pages/admin_section.tsx";
import { OpenAlertsBadge } from "./components/open_alerts_badge.tsx";
import { FirmwarePage } from "./pages/firmware.tsx";
import { CampaignsPage } from "./pages/ota_campaigns.tsx";
import { NewCampaignPage } from "./pages/ota_new_campaign.tsx";
import { CampaignPage } from "./pages/ota_campaign.tsx";
import { CamerasPage } from "./pages/cameras.tsx";
import { CameraPage } from "./pages/camera.tsx";

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
  const current = (...pages: string[]) => pages.includes(route.page) ? "page" : undefined;

  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="topbar">
        <span class="brand">AIOT</span>
        <nav aria-label="Main">
          <a href={href({ page: "fleet" })} aria-current={current("fleet")}>Fleet</a>
          <a href={href({ page: "cameras" })} aria-current={current("cameras", "camera")}>Cameras</a>
          <a href={href({ page: "events" })} aria-current={current("events")}>Events</a>
          <a href={href({ page: "alerts" })} aria-current={current("alerts")}>
            Alerts <OpenAlertsBadge />
          </a>
          <a href={href({ page: "rules" })} aria-current={current("rules", "rule", "newRule")}>Rules</a>
          {user.role === "admin" && (
            <a href={href({ page: "webhooks" })} aria-current={current("webhooks")}>Webhooks</a>
          )}
          <a href={href({ page: "firmware" })} aria-current={current("firmware")}>Firmware</a>
          <a href={href({ page: "ota" })} aria-current={current("ota", "newCampaign", "campaign")}>OTA</a>
          <a href={href({ page: "data", view: "" })} aria-current={current("data")}>Data</a>
          <a href={href({ page: "admin", view: "" })} aria-current={current("admin")}>Admin</a>
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
        {route.page === "alerts" && <AlertsPage user={user} />}
        {route.page === "rules" && <RulesPage user={user} />}
        {(route.page === "newRule" || route.page === "rule") && (
          <RulePage {...(route.page === "rule" ? { id: route.id } : {})} user={user} />
        )}
        {route.page === "webhooks" && <WebhooksPage user={user} />}
        {route.page === "data" && <DataSection view={route.view} />}
        {route.page === "admin" && <AdminSection view={route.view} user={user} />}
        {route.page === "firmware" && <FirmwarePage user={user} />}
        {route.page === "ota" && <CampaignsPage user={user} />}
        {route.page === "newCampaign" && <NewCampaignPage user={user} />}
        {route.page === "campaign" && <CampaignPage key={route.id} id={route.id} user={user} />}
        {route.page === "cameras" && <CamerasPage user={user} />}
        {route.page === "camera" && <CameraPage key={route.id} id={route.id} user={user} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
