/**
 * The cameras: a grid of live tiles, in sections by a label (a site, a floor), with search and a
 * label filter; each tile plays its camera live (WebRTC, HLS fallback) and shows its status,
 * kept current by the `camera.stream.*` events of the live stream. Operators add cameras here.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { SessionUser } from "../api_client.ts";
import { cameraApi } from "../camera_api.ts";
import {
  applyCameraEvents,
  CAMERA_EVENT_TYPES,
  type CameraView,
  filterCameras,
  groupCameras,
  labelKeys,
  statusClass,
  statusText,
} from "../camera_model.ts";
import { type LiveEvent, type LiveStatus, openLiveStream } from "../live_stream.ts";
import { reloadAfterEvent } from "../reload_after_event.ts";
import { href } from "../router.ts";
import { canOperate } from "../session.ts";
import { CameraAddForm } from "../components/camera_add_form.tsx";
import { SearchFilters } from "../components/search_filters.tsx";
import { CameraLiveView } from "../components/camera_live_view.tsx";

/** The latest stream events, re-applied to every listing (which may predate them). */
const RECENT_EVENTS = 200;

export function CamerasPage({ user }: { user: SessionUser }) {
  const [cameras, setCameras] = useState<ReadonlyMap<string, CameraView>>();
  const [error, setError] = useState<string>();
  const [live, setLive] = useState<LiveStatus>("connecting");
  const [search, setSearch] = useState("");
  const [label, setLabel] = useState("");
  const [groupBy, setGroupBy] = useState<string>();
  const [adding, setAdding] = useState(false);
  const recent = useRef<LiveEvent[]>([]);

  const load = () =>
    cameraApi.list().then(
      // Events that arrived while the list loaded still apply (each only moves a status forward).
      ({ items }) => setCameras(applyCameraEvents(new Map(items.map((c) => [c.id, c])), recent.current)),
      (e: Error) => setError(e.message),
    );

  useEffect(() => {
    void load();
    return openLiveStream({
      types: CAMERA_EVENT_TYPES,
      onStatus: setLive,
      onEvents(events) {
        recent.current = [...recent.current, ...events].slice(-RECENT_EVENTS);
        setCameras((current) => current && applyCameraEvents(current, events));
        // A camera added (configured before it streams), changed or removed: the listing brings its
        // name, labels and source, once the read model caught up with the event.
        if (events.some((e) => !e.type.startsWith("camera.stream."))) void reloadAfterEvent(load);
      },
    });
  }, []);

  const all = useMemo(() => [...(cameras?.values() ?? [])], [cameras]);
  const keys = useMemo(() => labelKeys(all), [all]);
  const key = groupBy ?? (keys.includes("site") ? "site" : "");
  const groups = useMemo(() => groupCameras(filterCameras(all, search, label), key), [
    all,
    search,
    label,
    key,
  ]);

  if (error) return <p class="error" role="alert">Cannot load the cameras: {error}</p>;
  const online = all.filter((c) => c.status === "online").length;

  return (
    <section class="cameras" aria-labelledby="cameras-title">
      <div class="page-head">
        <h1 id="cameras-title">Cameras</h1>
        <p class="summary" aria-live="polite">
          {cameras ? `${all.length} camera${all.length === 1 ? "" : "s"} · ${online} online` : "Loading…"}
          <span class={`live-dot ${live}`} title={`Live updates: ${live}`}>
            {live === "open" ? "live" : live}
          </span>
        </p>
        {canOperate(user) && (
          <button
            type="button"
            class="secondary"
            aria-expanded={adding}
            onClick={() => setAdding(!adding)}
          >
            {adding ? "Close" : "Add camera"}
          </button>
        )}
      </div>
      {adding && <CameraAddForm onAdded={() => void load()} />}
      <SearchFilters search={search} onSearch={setSearch} label={label} onLabel={setLabel}>
        <label>
          Group by
          <select name="groupBy" value={key} onChange={(e) => setGroupBy(e.currentTarget.value)}>
            <option value="">nothing</option>
            {keys.map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
        </label>
      </SearchFilters>
      {cameras && all.length === 0 && <p class="muted">No cameras yet.</p>}
      {groups.map((group) => (
        <section class="camera-group" key={group.title} aria-label={group.title}>
          <h2>{group.title}</h2>
          <div class="camera-grid">
            {group.cameras.map((camera) => <CameraTile key={camera.id} camera={camera} />)}
          </div>
        </section>
      ))}
    </section>
  );
}

function CameraTile({ camera }: { camera: CameraView }) {
  const name = camera.name ?? camera.id;
  return (
    <article class="camera-tile" data-camera-tile={camera.id} aria-label={name}>
      <CameraLiveView camera={camera} label={`Live video of ${name}`} />
      <div class="camera-tile-foot">
        <a href={href({ page: "camera", id: camera.id })}>{name}</a>
        <span
          class={`status ${statusClass(camera.status)}`}
          data-status={camera.status}
          title={statusText(camera)}
        >
          {camera.status}
        </span>
      </div>
      {camera.status === "offline" && camera.reason && <p class="muted camera-reason">{camera.reason}</p>}
    </article>
  );
}
