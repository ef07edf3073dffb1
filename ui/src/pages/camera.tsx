/**
 * One camera: its status (and why it is offline), its live video with the transport to use, and
 * the recording timeline with the camera's alerts on the same axis. A click on the timeline plays
 * the recordings from that moment; an alert plays the video around it.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { type Alert, api, type SessionUser } from "../api_client.ts";
import { cameraApi, type Recording } from "../camera_api.ts";
import { withoutCredentials } from "../camera_form.ts";
import {
  applyCameraEvents,
  CAMERA_EVENT_TYPES,
  type CameraView,
  statusClass,
  statusText,
} from "../camera_model.ts";
import type { TransportChoice } from "../camera_playback.ts";
import {
  aroundAlert,
  layoutAlerts,
  layoutSpans,
  playFrom,
  recordingSpans,
  type TimeWindow,
  WINDOW_PRESETS,
  windowAround,
} from "../camera_timeline.ts";
import { ALERT_EVENT_TYPES } from "../alerts_model.ts";
import { ago, formatTime } from "../format.ts";
import { type LiveEvent, openLiveStream } from "../live_stream.ts";
import { href } from "../router.ts";
import { canOperate } from "../session.ts";
import { CameraLiveView } from "../components/camera_live_view.tsx";
import { CameraRecordingPlayer } from "../components/camera_recording_player.tsx";
import { CameraTimelineBar } from "../components/camera_timeline_bar.tsx";
import { ConfirmAction } from "../components/confirm_action.tsx";
import { reloadAfterEvent } from "../reload_after_event.ts";

const CHOICES: [TransportChoice, string][] = [["auto", "Auto"], ["webrtc", "WebRTC"], ["hls", "HLS"]];
/** Recordings grow while the camera records: the window following "now" reloads this often. */
const REFRESH_MS = 10_000;

export function CameraPage({ id, user }: { id: string; user: SessionUser }) {
  const [camera, setCamera] = useState<CameraView>();
  const [error, setError] = useState<string>();
  const [choice, setChoice] = useState<TransportChoice>("auto");
  const [length, setLength] = useState<number>(WINDOW_PRESETS[1].ms);
  /** The window's end; undefined: it follows now. */
  const [end, setEnd] = useState<number>();
  const [now, setNow] = useState(Date.now());
  const [recordings, setRecordings] = useState<Recording[]>([]);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [playing, setPlaying] = useState<TimeWindow>();
  const [playhead, setPlayhead] = useState<number>();
  const [notice, setNotice] = useState<string>();

  const axis: TimeWindow = end === undefined
    ? { from: now - length, to: now }
    : { from: end - length, to: end };

  useEffect(() => {
    const loadAlerts = () => api.alerts({ device: id }).then(({ items }) => setAlerts(items), () => {});
    // Events that arrive while the camera loads still apply to it (a status only moves forward).
    let early: LiveEvent[] = [];
    cameraApi.get(id).then(
      (loaded) => setCamera(applyCameraEvents(new Map([[id, loaded]]), early).get(id)),
      (e: Error) => setError(e.message),
    );
    void loadAlerts();
    const tick = setInterval(() => setNow(Date.now()), REFRESH_MS);
    const close = openLiveStream({
      device: id,
      types: [...CAMERA_EVENT_TYPES, ...ALERT_EVENT_TYPES],
      onEvents(events) {
        early = [...early, ...events].slice(-50);
        setCamera((c) => (c ? applyCameraEvents(new Map([[c.id, c]]), events).get(c.id) : c));
        if (events.some((e) => e.type.startsWith("alert."))) void reloadAfterEvent(loadAlerts);
      },
    });
    return () => {
      clearInterval(tick);
      close();
    };
  }, [id]);

  useEffect(() => {
    cameraApi.recordings(id, axis.from, axis.to).then(({ items }) => setRecordings(items), () => {});
  }, [id, axis.from, axis.to]);

  const spans = useMemo(() => recordingSpans(recordings), [recordings]);
  const bars = useMemo(() => layoutSpans(spans, axis), [spans, axis.from, axis.to]);
  const marks = useMemo(() => layoutAlerts(alerts, axis), [alerts, axis.from, axis.to]);

  if (error) {
    return (
      <section class="panel">
        <p class="error" role="alert">{error}</p>
        <a href={href({ page: "cameras" })}>Back to the cameras</a>
      </section>
    );
  }
  if (!camera) return <p aria-busy="true">Loading…</p>;
  const name = camera.name ?? camera.id;

  const play = (range: TimeWindow | undefined, what: string) => {
    setNotice(range ? undefined : `Nothing was recorded at or after ${what}.`);
    setPlaying(range);
    setPlayhead(undefined);
  };
  const playAlert = (alertId: string) => {
    const alert = alerts.find((a) => a.id === alertId);
    if (!alert) return;
    const at = typeof alert.raisedAt === "number" ? alert.raisedAt : Date.parse(alert.raisedAt);
    if (at < axis.from || at > axis.to) setEnd(windowAround(at, length, Date.now()).to);
    play(aroundAlert(spans, alert), `the alert of ${formatTime(at)}`);
  };
  const remove = async () => {
    await cameraApi.remove(camera.id);
    location.hash = href({ page: "cameras" });
  };

  return (
    <div class="camera-page">
      <nav aria-label="Breadcrumb" class="crumbs">
        <a href={href({ page: "cameras" })}>Cameras</a> / <span aria-current="page">{camera.id}</span>
      </nav>
      <section class="panel overview" aria-labelledby="camera-title">
        <h1 id="camera-title">{name}</h1>
        <p>
          <span class={`status ${statusClass(camera.status)}`} data-camera-status={camera.status}>
            {camera.status}
          </span>{" "}
          <span data-camera-status-text>{statusText(camera)}</span>
          {camera.since && <span class="muted">· since {ago(camera.since, now)}</span>}
        </p>
        <dl class="facts">
          <dt>Id</dt>
          <dd>{camera.id}</dd>
          <dt>Source</dt>
          <dd data-camera-source>
            {camera.source.kind === "rtsp" ? <code>{withoutCredentials(camera.source.url)}</code> : "push"}
          </dd>
          <dt>Labels</dt>
          <dd>
            {Object.entries(camera.labels).map(([k, v]) => <span class="chip" key={k}>{k}:{v}</span>)}
            {Object.keys(camera.labels).length === 0 && <span class="muted">none</span>}
          </dd>
          <dt>Recording</dt>
          <dd>{camera.record ? `on, kept ${camera.retentionHours} h` : "off"}</dd>
        </dl>
        {canOperate(user) && (
          <ConfirmAction
            label="Delete camera"
            consequence="Stops the relay and deletes its recordings."
            onConfirm={remove}
          />
        )}
      </section>
      <section class="panel camera-live" aria-labelledby="live-title">
        <div class="toolbar">
          <h2 id="live-title">Live</h2>
          <fieldset class="segmented">
            <legend>Live via</legend>
            {CHOICES.map(([value, text]) => (
              <button
                type="button"
                key={value}
                aria-pressed={choice === value}
                onClick={() => setChoice(value)}
              >
                {text}
              </button>
            ))}
          </fieldset>
        </div>
        <CameraLiveView camera={camera} choice={choice} label={`Live video of ${name}`} />
      </section>
      <section class="panel camera-recordings" aria-labelledby="recordings-title">
        <div class="toolbar">
          <h2 id="recordings-title">Recordings</h2>
          <fieldset class="segmented">
            <legend>Window</legend>
            {WINDOW_PRESETS.map((preset) => (
              <button
                type="button"
                key={preset.label}
                aria-pressed={length === preset.ms}
                onClick={() => setLength(preset.ms)}
              >
                {preset.label}
              </button>
            ))}
          </fieldset>
          {end !== undefined && (
            <button type="button" class="secondary" onClick={() => setEnd(undefined)}>Now</button>
          )}
        </div>
        <CameraTimelineBar
          window={axis}
          bars={bars}
          alerts={marks}
          playhead={playhead}
          onPick={(t) => play(playFrom(spans, t), formatTime(t))}
          onAlert={playAlert}
        />
        {notice && <p class="muted" role="status">{notice}</p>}
        {playing && <CameraRecordingPlayer cameraId={camera.id} range={playing} onPlayhead={setPlayhead} />}
        <div class="camera-lists">
          <div>
            <h3>Recorded</h3>
            {spans.length === 0 && <p class="muted">Nothing recorded in this window.</p>}
            <ul class="recording-list">
              {spans.map((span) => (
                <li key={span.start} data-recording-start={span.start}>
                  {formatTime(span.start)} – {new Date(span.end).toLocaleTimeString()}{" "}
                  <span class="muted">({Math.round((span.end - span.start) / 1000)} s)</span>{" "}
                  <button
                    type="button"
                    class="link"
                    onClick={() => play({ from: span.start, to: span.end }, formatTime(span.start))}
                  >
                    Play
                  </button>
                </li>
              ))}
            </ul>
          </div>
          <div>
            <h3>Alerts</h3>
            {alerts.length === 0 && <p class="muted">No alerts for this camera.</p>}
            <ul class="recording-list">
              {alerts.slice(0, 20).map((alert) => (
                <li key={alert.id} data-camera-alert={alert.id}>
                  <span class={`badge severity ${alert.severity}`}>{alert.severity}</span>{" "}
                  {formatTime(alert.raisedAt)} {alert.message}{" "}
                  <button type="button" class="link" onClick={() => playAlert(alert.id)}>
                    Video around it
                  </button>
                </li>
              ))}
            </ul>
          </div>
        </div>
      </section>
    </div>
  );
}
