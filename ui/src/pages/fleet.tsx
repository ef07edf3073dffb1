/**
 * The fleet: every device with its connection, last-seen time, labels and latest values;
 * search and label filter; live over `/stream`. Rows are virtualised and stream events are
 * applied in one batch per animation frame. Status and latest values of rows scrolled into view
 * are fetched lazily (a few requests at a time), then kept current by the stream.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { allDevices, api } from "../api_client.ts";
import { cameraApi } from "../camera_api.ts";
import { CAMERA_EVENT_TYPES, statusClass } from "../camera_model.ts";
import {
  applyCameraStatuses,
  applyDetails,
  applyEvents,
  createFleet,
  filterFleet,
  type Fleet,
  type FleetRow,
} from "../fleet_model.ts";
import { ago, formatValue } from "../format.ts";
import { type LiveEvent, type LiveStatus, openLiveStream } from "../live_stream.ts";
import { href } from "../router.ts";
import { SearchFilters } from "../components/search_filters.tsx";
import { VirtualList } from "../components/virtual_list.tsx";

const ROW_HEIGHT = 64;
const DETAIL_REQUESTS_AT_ONCE = 4;
const FLEET_EVENTS: readonly LiveEvent["type"][] = [
  "device.registered",
  "device.updated",
  "device.decommissioned",
  "device.connected",
  "device.disconnected",
  "device.state.reported",
  "telemetry.reported",
  ...CAMERA_EVENT_TYPES,
];

export function FleetPage() {
  const [fleet, setFleet] = useState<Fleet>();
  const [error, setError] = useState<string>();
  const [, setRevision] = useState(0);
  const [membership, setMembership] = useState(0);
  const [live, setLive] = useState<LiveStatus>("connecting");
  const [search, setSearch] = useState("");
  const [label, setLabel] = useState("");
  const details = useRef({ pending: [] as string[], running: 0, requested: new Set<string>() });

  useEffect(() => {
    let current: Fleet | undefined;
    const early: Parameters<typeof applyEvents>[1][number][] = [];
    // The stream opens first so nothing registered during the listing is missed.
    const close = openLiveStream({
      types: FLEET_EVENTS,
      onStatus: setLive,
      onEvents(events) {
        if (!current) return void early.push(...events);
        const before = current.membership;
        if (applyEvents(current, events)) setRevision(current.revision);
        if (current.membership !== before) setMembership(current.membership);
      },
    });
    // The fleet shows without camera statuses rather than not at all when the list fails.
    const cameras = cameraApi.list().catch(() => ({ items: [] }));
    Promise.all([allDevices(), cameras]).then(([devices, cameras]) => {
      current = createFleet(devices);
      applyEvents(current, early);
      applyCameraStatuses(current, cameras.items);
      setFleet(current);
      setMembership(current.membership);
    }, (e: Error) => setError(e.message));
    const tick = setInterval(() => setRevision((r) => r + 1), 10_000); // refreshes "5 s ago"
    return () => {
      close();
      clearInterval(tick);
    };
  }, []);

  const ids = useMemo(() => (fleet ? filterFleet(fleet, search, label) : []), [
    fleet,
    membership,
    search,
    label,
  ]);

  const loadDetails = (visible: readonly string[]) => {
    if (!fleet) return;
    const queue = details.current;
    // A camera has no MQTT state or metrics: its status is the video's, from the camera list.
    queue.pending = visible.filter((id) => {
      const row = fleet.rows.get(id);
      return row && !row.detailsLoaded && row.device.kind !== "camera" && !queue.requested.has(id);
    });
    const next = () => {
      const id = queue.pending.shift();
      if (!id) return;
      queue.requested.add(id);
      queue.running++;
      Promise.all([api.state(id), api.metrics(id)]).then(([state, metrics]) => {
        applyDetails(fleet, id, {
          connected: state.connected,
          lastSeen: state.lastSeen,
          metrics: metrics.items,
        });
        setRevision(fleet.revision);
      }, () => queue.requested.delete(id)).finally(() => {
        queue.running--;
        next();
      });
    };
    while (queue.running < DETAIL_REQUESTS_AT_ONCE && queue.pending.length) next();
  };

  if (error) return <p class="error" role="alert">Cannot load the fleet: {error}</p>;

  const connected = fleet ? [...fleet.rows.values()].filter((r) => r.connected).length : 0;

  return (
    <section class="fleet" aria-labelledby="fleet-title">
      <div class="page-head">
        <h1 id="fleet-title">Fleet</h1>
        <p class="summary" aria-live="polite">
          {fleet ? `${ids.length} of ${fleet.ids.length} devices · ${connected} connected` : "Loading…"}
          <span class={`live-dot ${live}`} title={`Live updates: ${live}`}>
            {live === "open" ? "live" : live}
          </span>
        </p>
      </div>
      <SearchFilters search={search} onSearch={setSearch} label={label} onLabel={setLabel} />
      {fleet && (
        <VirtualList
          items={ids}
          rowHeight={ROW_HEIGHT}
          label="Devices"
          onVisible={loadDetails}
          renderRow={(id) => <DeviceRow row={fleet.rows.get(id)!} />}
        />
      )}
    </section>
  );
}

function DeviceRow({ row }: { row: FleetRow }) {
  const { device } = row;
  if (device.kind === "camera" || row.camera) return <CameraRow row={row} />;
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
      <span class="ident">
        <strong>{device.name ?? device.id}</strong>
        {device.name && <small>{device.id}</small>}
      </span>
      <span class="seen">{ago(row.lastSeen)}</span>
      <span class="labels">
        {Object.entries(device.labels).map(([k, v]) => <span class="chip" key={k}>{k}:{v}</span>)}
      </span>
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
      <span class="ident">
        <strong>{device.name ?? device.id}</strong>
        {device.name && <small>{device.id}</small>}
      </span>
      <span class="seen">camera</span>
      <span class="labels">
        {Object.entries(device.labels).map(([k, v]) => <span class="chip" key={k}>{k}:{v}</span>)}
      </span>
      <span class="metrics">{row.camera?.reason && <span class="metric">{row.camera.reason}</span>}</span>
    </a>
  );
}
