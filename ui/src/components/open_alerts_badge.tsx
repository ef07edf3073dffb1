/**
 * The count of open (not yet acknowledged) alerts beside "Alerts" in the navigation, recounted
 * whenever an alert event arrives. Counting stops after a few pages: "200+" says enough.
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api_client.ts";
import { ALERT_EVENT_TYPES } from "../alerts_model.ts";
import { openLiveStream } from "../live_stream.ts";
import { reloadAfterEvent } from "../reload_after_event.ts";
import { coalesce } from "../coalesce.ts";

const MAX_PAGES = 4;

async function countOpen(): Promise<{ count: number; more: boolean }> {
  let count = 0;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { items, next } = await api.alerts({ status: "open", ...(cursor ? { cursor } : {}) });
    count += items.length;
    if (!next) return { count, more: false };
    cursor = next;
  }
  return { count, more: true };
}

export function OpenAlertsBadge() {
  const [open, setOpen] = useState<{ count: number; more: boolean }>();

  useEffect(() => {
    let closed = false;
    const load = () => countOpen().then((c) => !closed && setOpen(c), () => {});
    const close = openLiveStream({
      types: ALERT_EVENT_TYPES,
      onEvents: coalesce(() => reloadAfterEvent(load)),
      // An ended stream (session gone) must not reload the page from the navigation.
      onEnded: () => {},
    });
    void load();
    return () => {
      closed = true;
      close();
    };
  }, []);

  if (!open || open.count === 0) return null;
  const text = `${open.count}${open.more ? "+" : ""}`;
  return (
    <span class="nav-count" data-open-alerts={open.count} aria-label={`${text} open alerts`}>
      {text}
    </span>
  );
}
