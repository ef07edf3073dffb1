/**
 * The admin section (`#/admin/…`): devices and one's own account for everyone (devices read only
 * for viewers), users, API tokens and the audit log for admins only — other roles see no tab.
 */
import type { SessionUser } from "../api_client.ts";
import { href } from "../router.ts";
import { SectionTabs } from "../components/section_tabs.tsx";
import { AdminDevicesPage } from "./admin_devices.tsx";
import { UsersPage } from "./users.tsx";
import { TokensPage } from "./tokens.tsx";
import { AuditPage } from "./audit.tsx";
import { AccountPage } from "./account.tsx";

const TABS = [
  { view: "devices", label: "Devices", adminOnly: false },
  { view: "users", label: "Users", adminOnly: true },
  { view: "tokens", label: "API tokens", adminOnly: true },
  { view: "audit", label: "Audit log", adminOnly: true },
  { view: "account", label: "Your account", adminOnly: false },
];

export function AdminSection({ view, user }: { view: string; user: SessionUser }) {
  const tabs = TABS.filter((t) => !t.adminOnly || user.role === "admin")
    .map(({ view, label }) => ({ view, label, href: href({ page: "admin", view }) }));
  const current = tabs.some((t) => t.view === view) ? view : "devices";
  return (
    <>
      <SectionTabs label="Administration" tabs={tabs} current={current} />
      {current === "devices" && <AdminDevicesPage user={user} />}
      {current === "users" && <UsersPage user={user} />}
      {current === "tokens" && <TokensPage user={user} />}
      {current === "audit" && <AuditPage user={user} />}
      {current === "account" && <AccountPage user={user} />}
    </>
  );
}
