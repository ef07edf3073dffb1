/**
 * One device: what it is, its credentials, telemetry, state, commands and rejected uplinks.
 * One stream (filtered to the device) feeds every panel; each reacts to the batches it cares about.
 */
import { useEffect, useState } from "preact/hooks";
import { api, type Device, type SessionUser } from "../api_client.ts";
import { formatTime } from "../format.ts";
import { type LiveEvent, openLiveStream } from "../live_stream.ts";
import { canOperate } from "../session.ts";
import { href } from "../router.ts";
import { TelemetryPanel } from "../components/telemetry_panel.tsx";
import { StatePanel } from "../components/state_panel.tsx";
import { CommandsPanel } from "../components/commands_panel.tsx";
import { DlqPanel } from "../components/dlq_panel.tsx";
import { TokenPanel } from "../components/token_panel.tsx";
import { reloadAfterEvent } from "../reload_after_event.ts";

export function DevicePage({ id, user }: { id: string; user: SessionUser }) {
  const [device, setDevice] = useState<Device>();
  const [error, setError] = useState<string>();
  const [events, setEvents] = useState<readonly LiveEvent[]>([]);

  useEffect(() => {
    api.device(id).then(setDevice, (e: Error) => setError(e.message));
    return openLiveStream({
      device: id,
      onEvents(batch) {
        setEvents(batch);
        if (batch.some((e) => e.type === "device.updated" || e.type === "device.decommissioned")) {
          // The read model may trail the event: load again until it has caught up.
          void reloadAfterEvent(() => api.device(id).then(setDevice, () => {}));
        }
      },
    });
  }, [id]);

  if (error) {
    return (
      <section class="panel">
        <p class="error" role="alert">{error}</p>
        <a href={href({ page: "fleet" })}>Back to the fleet</a>
      </section>
    );
  }
  if (!device) return <p aria-busy="true">Loading…</p>;
  const operate = canOperate(user) && device.status === "active";

  return (
    <div class="device-page">
      <nav aria-label="Breadcrumb" class="crumbs">
        <a href={href({ page: "fleet" })}>Fleet</a> / <span aria-current="page">{device.id}</span>
      </nav>
      <section class="panel overview" aria-labelledby="device-title">
        <h1 id="device-title">{device.name ?? device.id}</h1>
        <dl class="facts">
          <dt>Id</dt>
          <dd>{device.id}</dd>
          {device.model && (
            <>
              <dt>Model</dt>
              <dd>{device.model}</dd>
            </>
          )}
          <dt>Status</dt>
          <dd>{device.status}</dd>
          <dt>Registered</dt>
          <dd>{formatTime(device.createdAt)}</dd>
          <dt>Labels</dt>
          <dd>
            {Object.entries(device.labels).map(([k, v]) => <span class="chip" key={k}>{k}:{v}</span>)}
            {Object.keys(device.labels).length === 0 && <span class="muted">none</span>}
          </dd>
        </dl>
        {operate && <TokenPanel deviceId={device.id} />}
      </section>
      <TelemetryPanel deviceId={device.id} events={events} />
      <StatePanel deviceId={device.id} events={events} canEdit={operate} />
      <CommandsPanel deviceId={device.id} events={events} canSend={operate} />
      <DlqPanel deviceId={device.id} events={events} />
    </div>
  );
}
