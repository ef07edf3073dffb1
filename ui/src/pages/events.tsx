/**
 * The live event feed: the newest events of the whole platform (or one type / one device),
 * newest first, capped so a busy fleet cannot grow the page without bound. Pausing keeps
 * receiving but holds new events back until resumed. "Replay from" reopens the feed from a past
 * time (what was appended since then, then live), with the same filters.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { EVENT_TYPES, type LiveEvent, type LiveStatus, openLiveStream } from "../live_stream.ts";
import { href } from "../router.ts";
import { isoOfLocal } from "../as_of.ts";
import { formatTime } from "../format.ts";

const KEEP = 300;

export function EventsPage() {
  const [type, setType] = useState<string>("");
  const [device, setDevice] = useState("");
  const [from, setFrom] = useState("");
  const [applied, setApplied] = useState<{ type: string; device: string; from?: string }>({
    type: "",
    device: "",
  });
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [paused, setPaused] = useState(false);
  const [held, setHeld] = useState<LiveEvent[]>([]);
  // Tagged with the filter it belongs to, so a stream being replaced never shows as "live".
  const [stream, setStream] = useState<{ of: typeof applied; status: LiveStatus }>();
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    setEvents([]);
    setHeld([]);
    const chosen = EVENT_TYPES.find((t) => t === applied.type);
    return openLiveStream({
      ...(chosen ? { types: [chosen] } : {}),
      ...(applied.device ? { device: applied.device } : {}),
      ...(applied.from ? { from: applied.from } : {}),
      onStatus: (status) => setStream({ of: applied, status }),
      onEvents(batch) {
        const newest = [...batch].reverse();
        if (pausedRef.current) setHeld((h) => [...newest, ...h].slice(0, KEEP));
        else setEvents((e) => [...newest, ...e].slice(0, KEEP));
      },
    });
  }, [applied]);

  const live = stream?.of === applied ? stream.status : "connecting";

  const resume = () => {
    setEvents((e) => [...held, ...e].slice(0, KEEP));
    setHeld([]);
    setPaused(false);
  };

  return (
    <section class="events" aria-labelledby="events-title">
      <div class="page-head">
        <h1 id="events-title">Live events</h1>
        <p class="summary">
          <span class={`live-dot ${live}`} data-device={applied.device}>
            {live === "open" ? "live" : live}
          </span>
          {applied.from && <span class="replaying">replaying from {formatTime(applied.from)}</span>}
        </p>
      </div>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const since = isoOfLocal(from);
          setApplied({ type, device: device.trim(), ...(since ? { from: since } : {}) });
        }}
      >
        <label>
          Type
          <select name="type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
            <option value="">All types</option>
            {EVENT_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
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
        <label>
          Replay from
          <input
            type="datetime-local"
            name="from"
            step={1}
            value={from}
            onInput={(e) => setFrom(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Apply filter</button>
        {paused
          ? <button type="button" onClick={resume}>Resume ({held.length} new)</button>
          : <button type="button" class="secondary" onClick={() => setPaused(true)}>Pause</button>}
      </form>
      {events.length === 0
        ? <p class="muted">Waiting for events…</p>
        : (
          <ol class="event-list" aria-label="Events, newest first">
            {events.map((event) => (
              <li key={event.id} data-type={event.type}>
                <span class="event-type">{event.type}</span>
                <a href={href({ page: "device", id: event.key })}>{event.key}</a>
                <time dateTime={event.time}>{new Date(event.time).toLocaleTimeString()}</time>
                <code>{JSON.stringify(event.data)}</code>
              </li>
            ))}
          </ol>
        )}
    </section>
  );
}
