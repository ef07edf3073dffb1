/**
 * The fleet: every device with its connection, last-seen time, labels and latest values;
 * search and label filter; live over `/stream`. Rows are virtualised, and only the rows that
 * changed are redrawn. Stream events are applied in one batch per `REPAINT_MS`, not per
 * animation frame: 500 events/s over the rows in view would otherwise cost a style, layout and
 * paint pass 60 times a second, for values nobody reads that fast. Status and latest values of
 * rows scrolled into view are fetched lazily once the view rests (a few requests at a time), then
 * kept current by the stream.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { allDevices, api } from "../api_client.ts";
import { cameraApi } from "../camera_api.ts";
import { CAMERA_EVENT_TYPES } from "../camera_model.ts";
import {
  applyCameraStatuses,
  applyDetails,
  applyEvents,
  createFleet,
  filterFleet,
  type Fleet,
} from "../fleet_model.ts";
import { type LiveEvent, type LiveStatus, openLiveStream } from "../live_stream.ts";
import { FleetRowView } from "../components/fleet_row.tsx";
import { SearchFilters } from "../components/search_filters.tsx";
import { VirtualList } from "../components/virtual_list.tsx";

const ROW_HEIGHT = 64;
/** How often live updates reach the screen: four times a second reads as live. */
const REPAINT_MS = 250;
/** How often "last seen" texts age. */
const CLOCK_MS = 10_000;
const DETAIL_REQUESTS_AT_ONCE = 4;
/** Details load once the rows in view stayed put this long: rows scrolled past cost no request. */
const DETAILS_AFTER_MS = 100;
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
  const [clock, setClock] = useState(0);
  const [membership, setMembership] = useState(0);
  const [live, setLive] = useState<LiveStatus>("connecting");
  const [search, setSearch] = useState("");
  const [label, setLabel] = useState("");
  const details = useRef({ pending: [] as string[], running: 0, requested: new Set<string>() });
  // Details of the rows scrolled into view arrive one request at a time: one repaint per frame.
  const repaintFrame = useRef<number | undefined>(undefined);
  const detailsTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => {
    cancelAnimationFrame(repaintFrame.current ?? 0);
    clearTimeout(detailsTimer.current);
  }, []);
  const repaintSoon = (fleet: Fleet) => {
    repaintFrame.current ??= requestAnimationFrame(() => {
      repaintFrame.current = undefined;
      setRevision(fleet.revision);
    });
  };

  useEffect(() => {
    let current: Fleet | undefined;
    const early: Parameters<typeof applyEvents>[1][number][] = [];
    // The stream opens first so nothing registered during the listing is missed.
    const close = openLiveStream({
      types: FLEET_EVENTS,
      batchMs: REPAINT_MS,
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
    const tick = setInterval(() => setClock((c) => c + 1), CLOCK_MS);
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
        repaintSoon(fleet);
      }, () => queue.requested.delete(id)).finally(() => {
        queue.running--;
        next();
      });
    };
    while (queue.running < DETAIL_REQUESTS_AT_ONCE && queue.pending.length) next();
  };

  if (error) return <p class="error" role="alert">Cannot load the fleet: {error}</p>;

  let connected = 0;
  for (const row of fleet?.rows.values() ?? []) if (row.connected) connected++;

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
          onVisible={(visible) => {
            clearTimeout(detailsTimer.current);
            detailsTimer.current = setTimeout(() => loadDetails(visible), DETAILS_AFTER_MS);
          }}
          renderRow={(id) => {
            const row = fleet.rows.get(id)!;
            return <FleetRowView row={row} revision={row.revision} clock={clock} />;
          }}
        />
      )}
    </section>
  );
}
