/**
 * `/api/v1/stream` for the dashboard: one `EventSource` (which resumes with `Last-Event-ID` by
 * itself after a drop) whose events are delivered in batches, at most once per animation frame,
 * so a burst of thousands of events costs one render rather than thousands.
 */
import type { EventEnvelope } from "../../core/events/envelope.ts";
import type { EventType } from "../../core/events/catalog.ts";

export type LiveEvent = EventEnvelope<EventType>;

/** The types the dashboard shows; `satisfies` keeps the list in step with the event catalog. */
export const EVENT_TYPES = [
  "telemetry.reported",
  "device.registered",
  "device.updated",
  "device.decommissioned",
  "device.credentials.rotated",
  "device.connected",
  "device.disconnected",
  "device.state.reported",
  "device.state.desired",
  "device.event.reported",
  "command.requested",
  "command.dispatched",
  "command.acked",
  "command.failed",
  "command.expired",
  "input.rejected",
  "alert.raised",
  "alert.acknowledged",
  "alert.cleared",
  "rule.defined",
  "rule.changed",
  "rule.deleted",
  "firmware.published",
  "ota.campaign.created",
  "ota.campaign.started",
  "ota.campaign.paused",
  "ota.campaign.completed",
  "ota.job.queued",
  "ota.job.progress",
  "ota.job.succeeded",
  "ota.job.failed",
] as const satisfies readonly EventType[];

export type LiveStatus = "connecting" | "open" | "reconnecting";

export interface LiveStreamOptions {
  types?: readonly EventType[];
  device?: string;
  onEvents(events: LiveEvent[]): void;
  onStatus?(status: LiveStatus): void;
}

/** Opens the stream; the returned function closes it. */
export function openLiveStream(options: LiveStreamOptions): () => void {
  const params = new URLSearchParams();
  if (options.types?.length) params.set("types", options.types.join(","));
  if (options.device) params.set("device", options.device);
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
    if (document.hidden) {
      const timer = setTimeout(flush, 250);
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
  source.onerror = () => options.onStatus?.("reconnecting");
  return () => {
    source.close();
    cancelFlush?.();
  };
}
