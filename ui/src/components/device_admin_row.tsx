/**
 * One device in the admin list: id, name, labels, status; for operators and admins, editing
 * the labels (they replace the stored ones) and decommissioning behind a confirmation.
 */
import { useState } from "preact/hooks";
import type { Device } from "../api_client.ts";
import { adminApi } from "../admin_api.ts";
import { labelsText, parseLabels } from "../admin_model.ts";
import { href } from "../router.ts";
import { ConfirmAction } from "./confirm_action.tsx";

export interface DeviceAdminRowProps {
  device: Device;
  canWrite: boolean;
  onChanged(device: Device): void;
}

export function DeviceAdminRow({ device, canWrite, onChanged }: DeviceAdminRowProps) {
  const [editing, setEditing] = useState<string>();
  const [error, setError] = useState<string>();
  const active = device.status !== "decommissioned";

  const save = async (event: Event) => {
    event.preventDefault();
    try {
      onChanged(await adminApi.updateDevice(device.id, { labels: parseLabels(editing ?? "") }));
      setEditing(undefined);
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const decommission = async () => {
    try {
      onChanged(await adminApi.decommissionDevice(device.id));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <tr data-admin-device={device.id}>
      <th scope="row">
        <a href={href({ page: "device", id: device.id })}>{device.id}</a>
        {device.name && <small class="muted device-name">{device.name}</small>}
      </th>
      <td>
        <span class={`status ${active ? "" : "decommissioned"}`} data-status={device.status}>
          {device.status}
        </span>
      </td>
      <td>
        {editing === undefined
          ? (
            <span class="labels" data-labels>
              {Object.entries(device.labels).map(([k, v]) => <span class="chip" key={k}>{k}:{v}</span>)}
            </span>
          )
          : (
            <form class="inline-form" onSubmit={save} aria-label={`Labels of ${device.id}`}>
              <input
                name="deviceLabels"
                aria-label="Labels"
                value={editing}
                onInput={(e) => setEditing(e.currentTarget.value)}
              />
              <button type="submit">Save labels</button>
              <button type="button" class="secondary" onClick={() => setEditing(undefined)}>Cancel</button>
            </form>
          )}
        {error && <p class="error" role="alert">{error}</p>}
      </td>
      <td class="row-actions">
        {canWrite && active && editing === undefined && (
          <>
            <button type="button" class="secondary" onClick={() => setEditing(labelsText(device.labels))}>
              Edit labels
            </button>
            <ConfirmAction
              label="Decommission"
              consequence="It can no longer connect; its history stays."
              onConfirm={decommission}
            />
          </>
        )}
      </td>
    </tr>
  );
}
