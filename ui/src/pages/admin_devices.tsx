/**
 * Device administration: register (token shown once), the registry 50 devices a page with
 * labels editing and decommissioning. Viewers see the list only.
 */
import { useEffect, useState } from "preact/hooks";
import type { Device, SessionUser } from "../api_client.ts";
import { adminApi } from "../admin_api.ts";
import { canOperate } from "../session.ts";
import { DeviceRegisterForm } from "../components/device_register_form.tsx";
import { DeviceAdminRow } from "../components/device_admin_row.tsx";

export function AdminDevicesPage({ user }: { user: SessionUser }) {
  const [devices, setDevices] = useState<Device[]>();
  const [next, setNext] = useState<string>();
  const [error, setError] = useState<string>();
  const canWrite = canOperate(user);

  const load = async (cursor?: string) => {
    try {
      const page = await adminApi.devices(cursor);
      setDevices((old) => [...(cursor ? old ?? [] : []), ...page.items]);
      setNext(page.next);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => void load(), []);

  const changed = (device: Device) => setDevices((old) => old?.map((d) => (d.id === device.id ? device : d)));

  return (
    <section class="admin-devices" aria-labelledby="admin-devices-title">
      <div class="page-head">
        <h1 id="admin-devices-title">Devices</h1>
        <p class="summary">
          {canWrite ? "Register, relabel and decommission devices." : "The registry (read only)."}
        </p>
      </div>
      {canWrite && <DeviceRegisterForm onRegistered={() => load()} />}
      {error && <p class="error" role="alert">{error}</p>}
      {!devices ? <p aria-busy="true">Loading…</p> : (
        <table class="table admin-table">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Status</th>
              <th scope="col">Labels</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {devices.map((d) => (
              <DeviceAdminRow key={d.id} device={d} canWrite={canWrite} onChanged={changed} />
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <button
          type="button"
          class="secondary"
          onClick={() => load(next)}
        >
          More devices
        </button>
      )}
    </section>
  );
}
