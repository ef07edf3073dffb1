/**
 * The fleet as the dashboard holds it: one row per device with its live status and latest
 * values, kept current by applying stream events. Mutable on purpose — 5,000 rows updated many
 * times a second must not be copied per event; `membership` changes only when rows come or go
 * (so filtering reruns only then), `revision` on every change (so the view knows to repaint), and
 * each row's own `revision` when that row changes (so only the rows that changed are redrawn).
 */
import type { Device, LatestValue, MetricValue } from "./api_client.ts";
import type { LiveEvent } from "./live_stream.ts";
import type { Camera } from "./camera_api.ts";
import { type CameraChange, statusAfter } from "./camera_model.ts";

export interface FleetRow {
  device: Device;
  connected?: boolean;
  lastSeen?: string;
  metrics: Map<string, { value: MetricValue; t: number }>;
  /** Whether state and metrics were fetched (done lazily for the rows in view). */
  detailsLoaded: boolean;
  /** A camera's video status (cameras only; from `GET /cameras`, then `camera.stream.*` events). */
  camera?: CameraChange;
  /** Bumped on every change to this row. */
  revision: number;
}

export interface Fleet {
  rows: Map<string, FleetRow>;
  /** Ids, sorted. */
  ids: string[];
  membership: number;
  revision: number;
}

export function createFleet(devices: readonly Device[]): Fleet {
  const rows = new Map(devices.map((device) => [device.id, newRow(device)]));
  return { rows, ids: [...rows.keys()].sort(), membership: 0, revision: 0 };
}

function newRow(device: Device): FleetRow {
  return { device, metrics: new Map(), detailsLoaded: false, revision: 0 };
}

/** Sets what `GET /state` and `GET /metrics` said, without overwriting newer live values. */
export function applyDetails(
  fleet: Fleet,
  id: string,
  details: { connected: boolean; lastSeen: string | null; metrics: readonly LatestValue[] },
): void {
  const row = fleet.rows.get(id);
  if (!row) return;
  row.detailsLoaded = true;
  row.connected ??= details.connected;
  if (details.lastSeen && !(row.lastSeen && row.lastSeen > details.lastSeen)) row.lastSeen = details.lastSeen;
  for (const { metric, t, value } of details.metrics) {
    const known = row.metrics.get(metric);
    if (!known || known.t <= t) row.metrics.set(metric, { value, t });
  }
  row.revision++;
  fleet.revision++;
}

/** Sets the cameras' statuses `GET /cameras` listed, without overwriting newer live ones. */
export function applyCameraStatuses(fleet: Fleet, cameras: readonly Camera[]): void {
  for (const camera of cameras) {
    const row = fleet.rows.get(camera.id);
    if (!row || row.camera) continue;
    row.camera = { status: camera.status, ...(camera.reason === undefined ? {} : { reason: camera.reason }) };
    row.revision++;
  }
  fleet.revision++;
}

/** Applies a batch of stream events; answers whether anything visible changed. */
export function applyEvents(fleet: Fleet, events: readonly LiveEvent[]): boolean {
  let changed = false;
  for (const event of events) {
    const id = event.key;
    if (event.type === "device.registered") {
      if (fleet.rows.has(id)) continue;
      const data = event.data as Partial<Device>;
      const device: Device = {
        id,
        labels: data.labels ?? {},
        status: "active",
        createdAt: event.time,
        updatedAt: event.time,
        ...(data.name ? { name: data.name } : {}),
        ...(data.model ? { model: data.model } : {}),
        ...(data.kind ? { kind: data.kind } : {}),
      };
      // Born from its registration: no state or metrics to load yet (and the read models may not
      // have it yet: a request now could 404); its next events fill the row live.
      fleet.rows.set(id, {
        ...newRow(device),
        detailsLoaded: true,
        ...(device.kind === "camera" ? { camera: { status: "starting" as const } } : {}),
      });
      insertSorted(fleet.ids, id);
      fleet.membership++;
      changed = true;
      continue;
    }
    const row = fleet.rows.get(id);
    if (!row) continue;
    const camera = statusAfter(event);
    if (camera) {
      row.camera = camera;
      row.revision++;
      changed = true;
      continue;
    }
    switch (event.type) {
      case "device.updated": {
        const data = event.data as Partial<Device>;
        row.device = { ...row.device, ...data, id };
        fleet.membership++; // labels and name take part in filtering
        break;
      }
      case "device.decommissioned":
        row.device = { ...row.device, status: "decommissioned" };
        break;
      case "device.connected":
        row.connected = true;
        break;
      case "device.disconnected":
        row.connected = false;
        break;
      case "telemetry.reported": {
        const { values } = event.data as { values: { name: string; value: MetricValue; ts: number }[] };
        for (const { name, value, ts } of values) {
          const known = row.metrics.get(name);
          if (!known || known.t <= ts) row.metrics.set(name, { value, t: ts });
        }
        break;
      }
      case "device.state.reported":
        break;
      default:
        continue;
    }
    if (!row.lastSeen || row.lastSeen < event.ingestedAt) row.lastSeen = event.ingestedAt;
    row.revision++;
    changed = true;
  }
  if (changed) fleet.revision++;
  return changed;
}

function insertSorted(ids: string[], id: string): void {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (ids[mid]! < id) low = mid + 1;
    else high = mid;
  }
  ids.splice(low, 0, id);
}

/**
 * The ids matching a free-text search (id, name, model, label values) and a label filter
 * (`key` or `key:value`), in id order.
 */
export function filterFleet(fleet: Fleet, search: string, label: string): string[] {
  const needle = search.trim().toLowerCase();
  const labelFilter = label.trim();
  if (!needle && !labelFilter) return fleet.ids;
  const at = labelFilter.indexOf(":");
  const labelKey = at >= 0 ? labelFilter.slice(0, at) : labelFilter;
  const labelValue = at >= 0 ? labelFilter.slice(at + 1) : undefined;
  return fleet.ids.filter((id) => {
    const { device } = fleet.rows.get(id)!;
    if (labelKey) {
      const value = device.labels[labelKey];
      if (value === undefined || (labelValue !== undefined && value !== labelValue)) return false;
    }
    if (!needle) return true;
    return id.toLowerCase().includes(needle) ||
      (device.name ?? "").toLowerCase().includes(needle) ||
      (device.model ?? "").toLowerCase().includes(needle) ||
      Object.values(device.labels).some((v) => v.toLowerCase().includes(needle));
  });
}
