/**
 * `/api/v1/stream` for the dashboard: one `EventSource` (which resumes with `Last-Event-ID` by
 * itself after a drop) whose events are delivered in batches, at most once per animation frame
 * (or per `batchMs`), so a burst of thousands of events costs one render rather than thousands.
 */
import type { EventEnvelope } from "../../core/events/envelope.ts";
import type { EventType } from "../../core/events/catalog.ts";
// The names alone, not the catalog: the catalog would bundle zod and every schema.
import { eventTypeNames } from "../../core/events/type_names.ts";

export type LiveEvent = EventEnvelope<EventType>;

/** The dashboard shows every event type, in catalog order. */
export const EVENT_TYPES: readonly EventType[] = eventTypeNames;

export type LiveStatus = "connecting" | "open" | "reconnecting";

export interface LiveStreamOptions {
  types?: readonly EventType[];
  device?: string;
  /** ISO-8601: replay what was appended since then before continuing live. */
  from?: string;
  onEvents(events: LiveEvent[]): void;
  /**
   * Deliver at most one batch per `batchMs` milliseconds (a timer) instead of one per animation
   * frame: for views where each batch costs a repaint of many rows and a few updates a second
   * read as live (the fleet). Default: one batch per frame.
   */
  batchMs?: number;
  onStatus?(status: LiveStatus): void;
  /** The server ended the stream (`resume_too_old`, `unauthorized`); default: reload the page. */
  onEnded?(): void;
}

/** Opens the stream; the returned function closes it. */
export function openLiveStream(options: LiveStreamOptions): () => void {
  const params = new URLSearchParams();
  if (options.types?.length) params.set("types", options.types.join(","));
  if (options.device) params.set("device", options.device);
  if (options.from) params.set("from", options.from);
  const source = new EventSource(`/api/v1/stream${params.size ? `?${params}` : ""}`, {
    withCredentials: true,
  });
  let queue: LiveEvent[] = [];
  let cancelFlush: (() => void) | undefined;
  const flush = () => {
    cancelFlush = undefined;
    const batch = queue;
    queue = [];
    if (batch.length) options.onEvents(batch);
  };
  const receive = (message: MessageEvent<string>) => {
    queue.push(JSON.parse(message.data) as LiveEvent);
    // rAF does not run in background tabs; the timeout keeps a hidden tab's queue bounded.
    if (cancelFlush) return;
    if (options.batchMs !== undefined || document.hidden) {
      const timer = setTimeout(flush, options.batchMs ?? 250);
      cancelFlush = () => clearTimeout(timer);
    } else {
      const frame = requestAnimationFrame(flush);
      cancelFlush = () => cancelAnimationFrame(frame);
    }
  };
  for (const type of options.types?.length ? options.types : EVENT_TYPES) {
    source.addEventListener(type, receive);
  }
  options.onStatus?.("connecting");
  source.onopen = () => options.onStatus?.("open");
  source.onerror = (event) => {
    // `event: error` from the server (a MessageEvent with data) is not a dropped connection: the
    // resume point was too old (events were missed) or the session ended. Resuming cannot fix
    // either; reloading the page fetches everything afresh (or lands on the login).
    if (event instanceof MessageEvent && typeof event.data === "string") {
      source.close();
      (options.onEnded ?? (() => location.reload()))();
      return;
    }
    options.onStatus?.("reconnecting");
  };
  return () => {
    source.close();
    cancelFlush?.();
  };
}
