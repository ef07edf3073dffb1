/**
 * OTA campaigns, newest first, with their status and job counts, kept current by the live
 * `ota.*` events (one coalesced reload per burst); operators get "New campaign".
 */
import { useEffect, useState } from "preact/hooks";
import type { SessionUser } from "../api_client.ts";
import { type Campaign, otaApi } from "../ota_api.ts";
import { OTA_EVENT_TYPES } from "../ota_model.ts";
import { type LiveStatus, openLiveStream } from "../live_stream.ts";
import { reloadAfterEvent } from "../reload_after_event.ts";
import { coalesce } from "../coalesce.ts";
import { formatTime } from "../format.ts";
import { href } from "../router.ts";
import { canOperate } from "../session.ts";

export function CampaignsPage({ user }: { user: SessionUser }) {
  const [items, setItems] = useState<Campaign[]>();
  const [next, setNext] = useState<string>();
  const [stream, setStream] = useState<LiveStatus>("connecting");
  const [error, setError] = useState<string>();
  const load = () =>
    otaApi.campaigns().then((page) => {
      setItems(page.items);
      setNext(page.next);
      setError(undefined);
    }, (e: Error) => setError(e.message));

  useEffect(() => {
    const reload = coalesce(() => reloadAfterEvent(load));
    const close = openLiveStream({
      // Campaign-level changes only: a job's every progress report would reload the list.
      types: OTA_EVENT_TYPES.filter((t) => !t.startsWith("ota.job.")),
      onStatus: setStream,
      onEvents: reload,
    });
    void load();
    return close;
  }, []);

  const more = async () => {
    if (!next) return;
    try {
      const page = await otaApi.campaigns(next);
      setItems((before) => [...before ?? [], ...page.items]);
      setNext(page.next);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section class="campaigns" aria-labelledby="campaigns-title">
      <div class="page-head">
        <h1 id="campaigns-title">OTA campaigns</h1>
        <p class="summary">
          <span class={`live-dot ${stream}`} title={`Live updates: ${stream}`}>
            {stream === "open" ? "live" : stream}
          </span>
        </p>
        {canOperate(user) && <a class="button" href={href({ page: "newCampaign" })}>New campaign</a>}
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {!items
        ? <p aria-busy="true">Loading…</p>
        : items.length === 0
        ? <p class="muted">No campaigns yet.</p>
        : (
          <table class="table campaign-table">
            <caption>Campaigns, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Succeeded</th>
                <th scope="col">Failed</th>
                <th scope="col">In progress</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id} data-campaign={c.id} data-status={c.status}>
                  <td>
                    <a href={href({ page: "campaign", id: c.id })}>{c.name}</a>
                  </td>
                  <td>{c.version}</td>
                  <td>
                    <span class={`badge campaign-${c.status}`}>{c.status}</span>
                  </td>
                  <td>{c.counts.succeeded}</td>
                  <td>{c.counts.failed + c.counts.timedOut}</td>
                  <td>{c.counts.inProgress + c.counts.queued}</td>
                  <td>{formatTime(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      {next && <button type="button" class="secondary" onClick={more}>Load more</button>}
    </section>
  );
}
