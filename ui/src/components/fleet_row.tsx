/**
 * One device of the fleet list: its status, name, last-seen time, labels and first latest values;
 * a camera shows its video status instead. A row redraws only when its own `revision` (or the
 * clock that ages "5 s ago") moved: a stream batch touching 10 rows of the 30 in view diffs 10.
 */
import { Component } from "preact";
import { statusClass } from "../camera_model.ts";
import type { FleetRow } from "../fleet_model.ts";
import { ago, formatValue } from "../format.ts";
import { href } from "../router.ts";

export interface FleetRowViewProps {
  row: FleetRow;
  /** `row.revision` when the list rendered: the row object itself is mutated in place. */
  revision: number;
  /** Ticks every few seconds so that "last seen" texts age. */
  clock: number;
}

export class FleetRowView extends Component<FleetRowViewProps> {
  override shouldComponentUpdate(next: FleetRowViewProps): boolean {
    const { row, revision, clock } = this.props;
    return next.row !== row || next.revision !== revision || next.clock !== clock;
  }

  override render() {
    const { row } = this.props;
    return row.device.kind === "camera" || row.camera ? <CameraRow row={row} /> : <DeviceRow row={row} />;
  }
}

function DeviceRow({ row }: { row: FleetRow }) {
  const { device } = row;
  const status = device.status === "decommissioned"
    ? "decommissioned"
    : row.connected === undefined
    ? "unknown"
    : row.connected
    ? "connected"
    : "offline";
  const metrics = [...row.metrics.entries()].slice(0, 3);
  return (
    <a class="device-row" href={href({ page: "device", id: device.id })} data-device={device.id}>
      <span class={`status ${status}`}>{status}</span>
      <Ident row={row} />
      <span class="seen">{ago(row.lastSeen)}</span>
      <Labels row={row} />
      <span class="metrics">
        {metrics.map(([name, { value }]) => (
          <span class="metric" key={name}>
            {name} <b>{formatValue(value)}</b>
          </span>
        ))}
      </span>
    </a>
  );
}

/** A camera in the fleet: its video status and why it is offline; it opens the camera's page. */
function CameraRow({ row }: { row: FleetRow }) {
  const { device } = row;
  const status = row.camera?.status ?? "starting";
  return (
    <a
      class="device-row"
      href={href({ page: "camera", id: device.id })}
      data-device={device.id}
      data-kind="camera"
    >
      <span class={`status ${statusClass(status)}`} data-camera-status={status}>{status}</span>
      <Ident row={row} />
      <span class="seen">camera</span>
      <Labels row={row} />
      <span class="metrics">{row.camera?.reason && <span class="metric">{row.camera.reason}</span>}</span>
    </a>
  );
}

function Ident({ row: { device } }: { row: FleetRow }) {
  return (
    <span class="ident">
      <strong>{device.name ?? device.id}</strong>
      {device.name && <small>{device.id}</small>}
    </span>
  );
}

function Labels({ row: { device } }: { row: FleetRow }) {
  return (
    <span class="labels">
      {Object.entries(device.labels).map(([k, v]) => <span class="chip" key={k}>{k}:{v}</span>)}
    </span>
  );
}
