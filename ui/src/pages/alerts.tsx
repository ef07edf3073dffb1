/**
 * The alerts inbox: alerts newest first, filtered by status, severity and device, live over
 * `/stream` (raised, acknowledged and cleared alerts change the list without a reload), with
 * Acknowledge and Clear for those who may operate.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { type Alert, type AlertStatus, api, type SessionUser } from "../api_client.ts";
import {
  ALERT_EVENT_TYPES,
  type AlertFilter,
  applyAlertEvents,
  mergeAlerts,
  statusQueries,
} from "../alerts_model.ts";
import { type LiveStatus, openLiveStream } from "../live_stream.ts";
import { reloadAfterEvent } from "../reload_after_event.ts";
import { coalesce } from "../coalesce.ts";
import { canOperate } from "../session.ts";
import { SEVERITIES } from "../rule_form.ts";
import { AlertRow } from "../components/alert_row.tsx";

const EMPTY_FILTER: AlertFilter = { status: "", severity: "", device: "", rule: "" };

/** One listing per status the filter asks for, each with its own cursor. */
type Listing = { status: AlertStatus | undefined; items: Alert[]; next?: string | undefined }[];

export function AlertsPage({ user }: { user: SessionUser }) {
  const [filter, setFilter] = useState<AlertFilter>({ ...EMPTY_FILTER, status: "active" });
  const [device, setDevice] = useState("");
  const [listing, setListing] = useState<Listing>([]);
  const [live, setLive] = useState<ReadonlyMap<string, Alert>>(new Map());
  const [stream, setStream] = useState<LiveStatus>("connecting");
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string>();
  const rows = mergeAlerts(listing.flatMap((l) => l.items), live, filter);
  const hasMore = listing.some((l) => l.next);
  const shown = useRef(rows);
  shown.current = rows;

  const query = (status: AlertStatus | undefined, cursor?: string) => ({
    ...(status ? { status } : {}),
    ...(filter.severity ? { severity: filter.severity } : {}),
    ...(filter.device ? { device: filter.device } : {}),
    ...(filter.rule ? { rule: filter.rule } : {}),
    ...(cursor ? { cursor } : {}),
  });
  // Reloads still running for the previous filter (after an event) must not overwrite this one's.
  const currentFilter = useRef(filter);
  currentFilter.current = filter;
  const load = () =>
    Promise.all(statusQueries(filter).map(async (status) => ({ status, ...await api.alerts(query(status)) })))
      .then((pages) => {
        if (currentFilter.current !== filter) return;
        setListing(pages);
        setLoaded(true);
        setError(undefined);
      }, (e: Error) => setError(e.message));

  useEffect(() => {
    setLive(new Map());
    setLoaded(false);
    const reload = coalesce(() => reloadAfterEvent(load));
    // The stream opens first so an alert raised during the listing is not missed.
    const close = openLiveStream({
      types: ALERT_EVENT_TYPES,
      ...(filter.device ? { device: filter.device } : {}),
      onStatus: setStream,
      onEvents(events) {
        const known = new Map(shown.current.map((a) => [a.id, a]));
        const changed = applyAlertEvents(known, events);
        setLive((before) => new Map([...before, ...changed]));
        reload();
      },
    });
    void load();
    return close;
  }, [filter.status, filter.severity, filter.device, filter.rule]);

  const more = async () => {
    try {
      const longer = await Promise.all(listing.map(async (l) => {
        if (!l.next) return l;
        const next = await api.alerts(query(l.status, l.next));
        return { status: l.status, items: [...l.items, ...next.items], next: next.next };
      }));
      if (currentFilter.current === filter) setListing(longer);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const act = async (alert: Alert, action: "ack" | "clear") => {
    try {
      await (action === "ack" ? api.ackAlert(alert.id) : api.clearAlert(alert.id));
      const at = new Date().toISOString();
      const moved: Alert = action === "ack"
        ? { ...alert, status: "acknowledged", acknowledgedAt: at }
        : { ...alert, status: "cleared", clearedAt: at };
      setLive((before) => new Map([...before, [alert.id, moved]]));
      setError(undefined);
      void reloadAfterEvent(load);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section class="alerts" aria-labelledby="alerts-title">
      <div class="page-head">
        <h1 id="alerts-title">Alerts</h1>
        <p class="summary" aria-live="polite">
          {loaded ? `${rows.length}${hasMore ? "+" : ""} shown` : "Loading…"}
          <span class={`live-dot ${stream}`} title={`Live updates: ${stream}`}>
            {stream === "open" ? "live" : stream}
          </span>
        </p>
      </div>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ ...filter, device: device.trim() });
        }}
      >
        <label>
          Status
          <select
            name="status"
            value={filter.status}
            onChange={(e) => setFilter({ ...filter, status: e.currentTarget.value as AlertFilter["status"] })}
          >
            <option value="active">Active (open or acknowledged)</option>
            <option value="">Any status</option>
            <option value="open">Open</option>
            <option value="acknowledged">Acknowledged</option>
            <option value="cleared">Cleared</option>
          </select>
        </label>
        <label>
          Severity
          <select
            name="severity"
            value={filter.severity}
            onChange={(e) =>
              setFilter({ ...filter, severity: e.currentTarget.value as AlertFilter["severity"] })}
          >
            <option value="">Any severity</option>
            {SEVERITIES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>
          Device
          <input
            name="device"
            placeholder="device id"
            value={device}
            onInput={(e) => setDevice(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Apply filter</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {loaded && rows.length === 0
        ? <p class="muted">No {filter.status || ""} alerts.</p>
        : (
          <ul class="alert-list" aria-label="Alerts, newest first">
            {rows.map((alert) => (
              <AlertRow key={alert.id} alert={alert} canAct={canOperate(user)} onAct={act} />
            ))}
          </ul>
        )}
      {hasMore && <button type="button" class="secondary" onClick={more}>Load more</button>}
    </section>
  );
}
