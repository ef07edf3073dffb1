/**
 * The data explorer (the mongo-express / EMQX-dashboard replacement): any topic of the log by
 * event-time range, device and type, envelopes as collapsible JSON, 50 a page. It reads the
 * NDJSON export 500 envelopes at a time and no further; the request stays open (held back by
 * TCP) while the page is used and is aborted after a minute idle, on a new query or on leaving —
 * a later "next" then reads the range again and skips the envelopes already shown (by id).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { EventEnvelope } from "../../../core/events/envelope.ts";
import type { TopicFamily } from "../../../core/events/topic_families.ts";
import { type EnvelopeCursor, EXPORT_TOPICS, familyOf, openEnvelopeCursor } from "../export_client.ts";
import { EVENT_TYPES } from "../live_stream.ts";
import { href } from "../router.ts";
import { JsonTree } from "../components/json_tree.tsx";
import { ExportButtons } from "../components/export_buttons.tsx";

const PAGE = 50;
const READ_AHEAD = 500;
const IDLE_CLOSE_MS = 60_000;

interface Query {
  topic: TopicFamily;
  from?: string;
  to?: string;
  device?: string;
  types?: string[];
}

/** The open read of the current query; replaced (not mutated) by a new query. */
interface Reading {
  cursor?: EnvelopeCursor | undefined;
  /** Ids of the envelopes shown, so a re-opened read skips them. */
  seen: Set<string>;
  /** Closes an idle cursor. */
  idle?: ReturnType<typeof setTimeout>;
}

/** A `datetime-local` value (local time) as ISO-8601, or undefined when empty. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** `Date` as a `datetime-local` value in local time. */
const localOf = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

export function ExplorerPage() {
  // The last hour by default.
  const [form, setForm] = useState(() => ({
    topic: "telemetry" as TopicFamily,
    from: localOf(Date.now() - 3_600_000),
    to: "",
    device: "",
    type: "",
  }));
  const [query, setQuery] = useState<Query>();
  const [items, setItems] = useState<EventEnvelope[]>([]);
  const [page, setPage] = useState(0);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const reading = useRef<Reading>({ seen: new Set() });

  const closeCursor = () => {
    const r = reading.current;
    clearTimeout(r.idle);
    r.cursor?.close();
    r.cursor = undefined;
  };
  useEffect(() => closeCursor, []);

  /** Reads up to READ_AHEAD envelopes not shown yet; answers how many it added. */
  const readMore = async (q: Query): Promise<number> => {
    const r = reading.current;
    const { seen } = r;
    setLoading(true);
    clearTimeout(r.idle);
    try {
      r.cursor ??= openEnvelopeCursor(q);
      const fresh: EventEnvelope[] = [];
      let end = false;
      while (!end && fresh.length < READ_AHEAD) {
        const batch = await r.cursor.next(READ_AHEAD - fresh.length);
        end = batch.done;
        for (const envelope of batch.items) {
          if (!seen.has(envelope.id)) (seen.add(envelope.id), fresh.push(envelope));
        }
      }
      if (reading.current !== r) return 0; // a newer query took over
      setItems((old) => [...old, ...fresh]);
      setDone(end);
      if (end) closeCursor();
      else r.idle = setTimeout(closeCursor, IDLE_CLOSE_MS);
      return fresh.length;
    } catch (e) {
      if (reading.current !== r) return 0;
      if ((e as Error).name !== "AbortError") setError((e as Error).message);
      closeCursor();
      return 0;
    } finally {
      if (reading.current === r) setLoading(false);
    }
  };

  const browse = (event: Event) => {
    event.preventDefault();
    closeCursor();
    const from = isoOf(form.from);
    const to = isoOf(form.to);
    const q: Query = {
      topic: form.topic,
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(form.device.trim() ? { device: form.device.trim() } : {}),
      ...(form.type ? { types: [form.type] } : {}),
    };
    reading.current = { seen: new Set() };
    setQuery(q);
    setItems([]);
    setPage(0);
    setDone(false);
    setError(undefined);
    void readMore(q);
  };

  const next = async () => {
    if (!query) return;
    const atEnd = (page + 1) * PAGE >= items.length;
    if (atEnd && (done || await readMore(query) === 0)) return;
    setPage((p) => p + 1);
  };

  const shown = items.slice(page * PAGE, (page + 1) * PAGE);
  const lastPage = (page + 1) * PAGE >= items.length && done;

  return (
    <section class="explorer" aria-labelledby="explorer-title">
      <div class="page-head">
        <h1 id="explorer-title">Data explorer</h1>
        <p class="summary">Any topic of the log, by event time (upcast to the current event versions).</p>
      </div>
      <form class="filters" onSubmit={browse} aria-label="Range">
        <label>
          Topic
          <select
            name="topic"
            value={form.topic}
            onChange={(e) => setForm({ ...form, topic: e.currentTarget.value as TopicFamily, type: "" })}
          >
            {EXPORT_TOPICS.map(([topic, label]) => <option key={topic} value={topic}>{label}</option>)}
          </select>
        </label>
        <label>
          From
          <input
            type="datetime-local"
            name="from"
            required
            value={form.from}
            onInput={(e) => setForm({ ...form, from: e.currentTarget.value })}
          />
        </label>
        <label>
          To (empty: now)
          <input
            type="datetime-local"
            name="to"
            value={form.to}
            onInput={(e) => setForm({ ...form, to: e.currentTarget.value })}
          />
        </label>
        <label>
          Device
          <input
            name="device"
            placeholder="any device"
            value={form.device}
            onInput={(e) => setForm({ ...form, device: e.currentTarget.value })}
          />
        </label>
        <label>
          Event type
          <select
            name="type"
            value={form.type}
            onChange={(e) => setForm({ ...form, type: e.currentTarget.value })}
          >
            <option value="">All types</option>
            {EVENT_TYPES.filter((t) => familyOf(t) === form.topic).map((t) => (
              <option key={t} value={t}>{t}</option>
            ))}
          </select>
        </label>
        <button type="submit">Browse</button>
      </form>
      {query && <ExportButtons query={query} />}
      {error && <p class="error" role="alert">{error}</p>}
      {query && (
        <p
          class="muted"
          aria-live="polite"
          data-loaded={items.length}
          data-state={loading ? "reading" : "read"}
        >
          {loading
            ? "Reading…"
            : items.length === 0
            ? "No events in this range."
            : `Showing ${page * PAGE + 1}–${page * PAGE + shown.length} of ${items.length}${
              done ? " (the whole range)" : " read so far"
            }`}
        </p>
      )}
      {shown.length > 0 && (
        <ol class="envelope-list" aria-label="Events">
          {shown.map((envelope) => (
            <EnvelopeItem
              key={envelope.id}
              envelope={envelope}
              deviceKeyed={query?.topic === "telemetry" || query?.topic === "device"}
            />
          ))}
        </ol>
      )}
      {items.length > 0 && (
        <div class="pager">
          <button type="button" class="secondary" disabled={page === 0} onClick={() => setPage(page - 1)}>
            Previous {PAGE}
          </button>
          <button type="button" class="secondary" disabled={lastPage || loading} onClick={next}>
            Next {PAGE}
          </button>
        </div>
      )}
    </section>
  );
}

/** `deviceKeyed`: the topic's key is a device id (telemetry, device), so it links to the device. */
function EnvelopeItem({ envelope, deviceKeyed }: { envelope: EventEnvelope; deviceKeyed: boolean }) {
  return (
    <li>
      <details class="envelope" data-type={envelope.type} data-key={envelope.key}>
        <summary>
          <time dateTime={envelope.time}>{new Date(envelope.time).toLocaleString()}</time>
          <span class="event-type">{envelope.type}</span>
          <span class="muted">v{envelope.v}</span>
          {deviceKeyed
            ? <a href={href({ page: "device", id: envelope.key })}>{envelope.key}</a>
            : <span>{envelope.key}</span>}
          <code class="envelope-preview">{JSON.stringify(envelope.data)}</code>
        </summary>
        <JsonTree value={envelope} openDepth={4} />
      </details>
    </li>
  );
}
