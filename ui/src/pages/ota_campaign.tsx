/**
 * One OTA campaign: its status (and an aborted campaign's reason), counts by status, a progress
 * bar per wave and the per-device job table, all kept current by the live `ota.*` events: each
 * burst is applied at once and followed by one coalesced reload from the read models (which
 * may trail the stream by a moment). Operators get Start / Pause / Resume / Cancel as the status
 * allows; viewers see none.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { SessionUser } from "../api_client.ts";
import { type Campaign, type CampaignAction, type Job, otaApi } from "../ota_api.ts";
import { applyOtaEvents, countJobs, mergeLoaded, OTA_EVENT_TYPES, waveProgress } from "../ota_model.ts";
import { type LiveStatus, openLiveStream } from "../live_stream.ts";
import { reloadAfterEvent } from "../reload_after_event.ts";
import { coalesce } from "../coalesce.ts";
import { ago, formatTime } from "../format.ts";
import { href } from "../router.ts";
import { canOperate } from "../session.ts";
import { ConfirmAction } from "../components/confirm_action.tsx";

/** Jobs loaded for the table and the wave bars; beyond, the counts come from the API. */
const MAX_JOBS = 2000;

const ACTIONS: Record<Campaign["status"], CampaignAction[]> = {
  created: ["start", "cancel"],
  running: ["pause", "cancel"],
  paused: ["resume", "cancel"],
  completed: [],
  aborted: [],
  cancelled: [],
};

const LABEL: Record<CampaignAction, string> = {
  start: "Start",
  pause: "Pause",
  resume: "Resume",
  cancel: "Cancel",
};

export function CampaignPage({ id, user }: { id: string; user: SessionUser }) {
  const [campaign, setCampaign] = useState<Campaign>();
  const [jobs, setJobs] = useState<Map<string, Job>>(new Map());
  const [allJobs, setAllJobs] = useState(true);
  const [stream, setStream] = useState<LiveStatus>("connecting");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const shown = useRef({ campaign, jobs });
  shown.current = { campaign, jobs };

  const load = async () => {
    try {
      const [c, list] = await Promise.all([otaApi.campaign(id), loadJobs(id)]);
      // What live events already moved forward stays so (the read models may trail them).
      const merged = mergeLoaded(shown.current, { campaign: c, jobs: list.items });
      setCampaign(merged.campaign);
      setJobs(merged.jobs);
      setAllJobs(list.complete);
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  useEffect(() => {
    const reload = coalesce(() => reloadAfterEvent(load));
    const close = openLiveStream({
      types: OTA_EVENT_TYPES,
      onStatus: setStream,
      onEvents(events) {
        const now = shown.current;
        if (!now.campaign) return reload();
        const applied = applyOtaEvents(now.campaign, now.jobs, events);
        if (!applied.changed) return;
        setCampaign(applied.campaign);
        setJobs(applied.jobs);
        reload();
      },
    });
    void load();
    return close;
  }, [id]);

  if (!campaign) {
    return error ? <p class="error" role="alert">{error}</p> : <p aria-busy="true">Loading…</p>;
  }

  const act = async (action: CampaignAction) => {
    setBusy(true);
    try {
      // The answer is the campaign as it is now; what follows comes over the live stream (the
      // campaign's own events), which is also what keeps a second viewer's page current.
      setCampaign(await otaApi.act(id, action));
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const counts = allJobs && jobs.size ? countJobs(jobs.values()) : campaign.counts;
  const waves = waveProgress(campaign, jobs.values(), allJobs);
  const rows = [...jobs.values()].sort((a, b) => a.wave - b.wave || a.deviceId.localeCompare(b.deviceId));
  const actions = canOperate(user) ? ACTIONS[campaign.status] : [];

  return (
    <div class="campaign-page" data-campaign={campaign.id} data-status={campaign.status}>
      <nav aria-label="Breadcrumb" class="crumbs">
        <a href={href({ page: "ota" })}>OTA campaigns</a> / <span aria-current="page">{campaign.name}</span>
      </nav>
      <section class="panel" aria-labelledby="campaign-title">
        <div class="page-head">
          <h1 id="campaign-title">Campaign {campaign.name}</h1>
          <span class={`badge campaign-${campaign.status}`} data-campaign-status={campaign.status}>
            {campaign.status}
          </span>
          <span class={`live-dot ${stream}`} title={`Live updates: ${stream}`}>
            {stream === "open" ? "live" : stream}
          </span>
        </div>
        <p class="muted">
          Version <strong>{campaign.version}</strong> · <a href={href({ page: "firmware" })}>firmware</a>{" "}
          · timeout {campaign.jobTimeoutSeconds} s
          {campaign.health ? ` · health gate ${campaign.health.seconds} s` : ""}
          {campaign.abort
            ? ` · aborts at ${campaign.abort.failurePercent}% failed once ${campaign.abort.minFinished} finished`
            : ""}
          {campaign.startedAt ? ` · started ${formatTime(campaign.startedAt)}` : ""}
        </p>
        {campaign.status === "aborted" && (
          <p class="error abort-reason" role="alert" data-abort-reason>
            Aborted: {campaign.abortReason ?? "the abort criteria were met"}
          </p>
        )}
        {error && <p class="error" role="alert">{error}</p>}
        {actions.length > 0 && (
          <div class="form-actions campaign-actions">
            {actions.map((action) =>
              action === "cancel"
                ? (
                  <ConfirmAction
                    key={action}
                    label="Cancel campaign"
                    consequence="Nothing more is dispatched; queued jobs are cancelled."
                    onConfirm={() => act("cancel")}
                  />
                )
                : (
                  <button key={action} type="button" disabled={busy} onClick={() => act(action)}>
                    {LABEL[action]}
                  </button>
                )
            )}
          </div>
        )}
        <dl class="stats job-counts">
          {([
            ["queued", "Queued", counts.queued],
            ["inProgress", "In progress", counts.inProgress],
            ["succeeded", "Succeeded", counts.succeeded],
            ["failed", "Failed", counts.failed],
            ["timedOut", "Timed out", counts.timedOut],
            ["cancelled", "Cancelled", counts.cancelled],
          ] as const).map(([key, label, value]) => (
            <div key={key}>
              <dt>{label}</dt>
              <dd data-count={key} data-value={value}>{value}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section class="panel" aria-labelledby="waves-title">
        <h2 id="waves-title">Waves</h2>
        {waves.length === 0
          ? <p class="muted">The waves are planned when the campaign starts.</p>
          : (
            <ol class="wave-list">
              {waves.map((w) => (
                <li key={w.index} data-wave={w.index} data-wave-status={w.status} data-percent={w.percent}>
                  <span class="wave-name">Wave {w.index + 1}</span>
                  <progress max={100} value={w.percent} aria-label={`Wave ${w.index + 1} progress`} />
                  <span>
                    {w.percent}% · {w.devices} {w.devices === 1 ? "device" : "devices"} · {w.succeeded} ok ·
                    {" "}
                    {w.failed} failed · {w.inProgress} in progress
                  </span>
                  <span class={`badge wave-${w.status}`}>{w.status}</span>
                </li>
              ))}
            </ol>
          )}
      </section>
      <section class="panel" aria-labelledby="jobs-title">
        <h2 id="jobs-title">Jobs</h2>
        {!allJobs && <p class="muted">The first {MAX_JOBS} jobs are shown; the counts above cover all.</p>}
        {rows.length === 0
          ? <p class="muted">No jobs yet: they are queued when the campaign starts.</p>
          : (
            <table class="table job-table">
              <caption>One job per device, by wave</caption>
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">Wave</th>
                  <th scope="col">Status</th>
                  <th scope="col">Progress</th>
                  <th scope="col">Error</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((j) => (
                  <tr key={j.jobId} data-job={j.jobId} data-device={j.deviceId} data-job-status={j.status}>
                    <td>
                      <a href={href({ page: "device", id: j.deviceId })}>{j.deviceId}</a>
                    </td>
                    <td>{j.wave + 1}</td>
                    <td>
                      <span class={`badge job-${j.status}`}>{j.status.replace("_", " ")}</span>
                    </td>
                    <td>
                      {j.status === "succeeded" ? "100%" : j.progress === undefined ? "" : (
                        <>
                          <progress max={100} value={j.progress} aria-label={`${j.deviceId} progress`} />{" "}
                          {Math.round(j.progress)}%
                        </>
                      )}
                    </td>
                    <td class="job-error">
                      {j.error ?? ""}
                      {j.detail ? ` (${j.detail})` : ""}
                      {j.reportedVersion ? ` reported ${j.reportedVersion}` : ""}
                    </td>
                    <td title={formatTime(j.updatedAt)}>{ago(j.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </section>
    </div>
  );
}

async function loadJobs(id: string): Promise<{ items: Job[]; complete: boolean }> {
  const items: Job[] = [];
  let cursor: string | undefined;
  do {
    const page = await otaApi.jobs(id, cursor);
    items.push(...page.items);
    cursor = page.next;
  } while (cursor && items.length < MAX_JOBS);
  return { items, complete: !cursor };
}
