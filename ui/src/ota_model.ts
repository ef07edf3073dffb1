/**
 * The pure parts of the firmware and OTA pages: the campaign form as the body of
 * `POST /ota/campaigns` (with its issues at the API's field paths), counting the devices a target
 * matches (as the API resolves it: active, every label, among the listed ids), and a campaign
 * with its jobs kept current by the live `ota.*` events, with per-wave progress.
 */
import type { Device, FieldIssue } from "./api_client.ts";
import type { Campaign, CampaignBody, Job, JobCounts } from "./ota_api.ts";
import type { LiveEvent } from "./live_stream.ts";
import type { EventType } from "../../core/events/catalog.ts";
import { eventTypeNames } from "../../core/events/type_names.ts";
import { parseLabels } from "./admin_model.ts";

/**
 * The live events of campaigns, waves and jobs, from the catalog's names; without the device's raw
 * `ota.job.reported` (the processor turns it into `ota.job.progress` and the verdicts).
 */
export const OTA_EVENT_TYPES: readonly EventType[] = eventTypeNames.filter((t) =>
  t.startsWith("ota.") && t !== "ota.job.reported"
);

export interface CampaignForm {
  name: string;
  firmwareId: string;
  labels: string;
  devices: string;
  waveMode: "all" | "size" | "percent";
  waveValue: string;
  failurePercent: string;
  minFinished: string;
  jobTimeoutSeconds: string;
  healthSeconds: string;
}

export const emptyCampaignForm = (): CampaignForm => ({
  name: "",
  firmwareId: "",
  labels: "",
  devices: "",
  waveMode: "all",
  waveValue: "",
  failurePercent: "",
  minFinished: "",
  jobTimeoutSeconds: "3600",
  healthSeconds: "",
});

/** The API paths the form shows errors at; anything else goes to the top of the form. */
export const CAMPAIGN_FIELDS: ReadonlySet<string> = new Set([
  "name",
  "firmwareId",
  "target",
  "target.labels",
  "target.devices",
  "waves",
  "waves.size",
  "waves.percent",
  "abort",
  "abort.failurePercent",
  "abort.minFinished",
  "jobTimeoutSeconds",
  "health",
  "health.seconds",
]);

export const deviceIdsOf = (text: string): string[] => [...new Set(text.split(/[\s,]+/).filter(Boolean))];

/** The target of the form, or the issue with its labels. */
export function targetOf(form: Pick<CampaignForm, "labels" | "devices">): {
  target?: CampaignBody["target"];
  issue?: FieldIssue;
} {
  let labels: Record<string, string>;
  try {
    labels = parseLabels(form.labels);
  } catch (e) {
    return { issue: { path: "target.labels", message: (e as Error).message } };
  }
  const devices = deviceIdsOf(form.devices);
  return {
    target: { ...(devices.length ? { devices } : {}), ...(Object.keys(labels).length ? { labels } : {}) },
  };
}

/** `""` → undefined; anything else a number, or an issue at `path`. */
function numberAt(text: string, path: string, issues: FieldIssue[]): number | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const value = Number(trimmed);
  if (!Number.isFinite(value)) {
    issues.push({ path, message: "expected a number" });
    return undefined;
  }
  return value;
}

/**
 * The body of the form, or its issues. Only what the browser can tell at once is checked here
 * (numbers, both abort fields, a firmware chosen); ranges are the API's (its 400 names the field).
 */
export function campaignBodyOf(form: CampaignForm): { body?: CampaignBody; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  if (!form.name.trim()) issues.push({ path: "name", message: "required" });
  if (!form.firmwareId) issues.push({ path: "firmwareId", message: "choose a firmware" });
  const { target, issue } = targetOf(form);
  if (issue) issues.push(issue);
  const waveValue = form.waveMode === "all"
    ? undefined
    : numberAt(form.waveValue, `waves.${form.waveMode}`, issues);
  if (form.waveMode !== "all" && waveValue === undefined && !issues.some((i) => i.path.startsWith("waves"))) {
    issues.push({ path: `waves.${form.waveMode}`, message: "required" });
  }
  const failurePercent = numberAt(form.failurePercent, "abort.failurePercent", issues);
  const minFinished = numberAt(form.minFinished, "abort.minFinished", issues);
  const givenPercent = form.failurePercent.trim() !== "";
  if (givenPercent !== (form.minFinished.trim() !== "")) {
    const missing = givenPercent ? "abort.minFinished" : "abort.failurePercent";
    issues.push({ path: missing, message: "required with the other abort field" });
  }
  const jobTimeoutSeconds = numberAt(form.jobTimeoutSeconds, "jobTimeoutSeconds", issues);
  const healthSeconds = numberAt(form.healthSeconds, "health.seconds", issues);
  if (issues.length || !target) return { issues };
  return {
    issues,
    body: {
      name: form.name.trim(),
      firmwareId: form.firmwareId,
      target,
      ...(waveValue === undefined ? {} : { waves: { [form.waveMode]: waveValue } }),
      ...(failurePercent !== undefined && minFinished !== undefined
        ? { abort: { failurePercent, minFinished } }
        : {}),
      ...(jobTimeoutSeconds === undefined ? {} : { jobTimeoutSeconds }),
      ...(healthSeconds === undefined ? {} : { health: { seconds: healthSeconds } }),
    },
  };
}

export interface MatchCount {
  matched: number;
  /** False when counting stopped at the cap or the page budget: at least `matched`. */
  complete: boolean;
}

export type DevicePager = (
  q: { label?: string; cursor?: string },
) => Promise<{ items: Device[]; next?: string }>;

/**
 * How many devices `target` selects, as the API resolves it at the start: active, carrying every
 * label, and among `devices` when listed. The device list filters by one label only, so the
 * others (and the ids) are checked here, page by page, until `cap` matched or `maxPages` read.
 */
export async function countMatches(
  target: CampaignBody["target"],
  page: DevicePager,
  { cap = 1000, maxPages = 20 } = {},
): Promise<MatchCount> {
  const labels = Object.entries(target.labels ?? {});
  const ids = target.devices ? new Set(target.devices) : undefined;
  const first = labels[0];
  let matched = 0;
  let cursor: string | undefined;
  for (let pages = 0; pages < maxPages; pages++) {
    const answer = await page({
      ...(first ? { label: `${first[0]}:${first[1]}` } : {}),
      ...(cursor ? { cursor } : {}),
    });
    for (const device of answer.items) {
      if (device.status !== "active") continue;
      if (ids && !ids.has(device.id)) continue;
      if (labels.every(([k, v]) => device.labels[k] === v)) matched++;
    }
    if (matched >= cap) return { matched: cap, complete: false };
    if (!answer.next) return { matched, complete: true };
    cursor = answer.next;
  }
  return { matched, complete: false };
}

export function matchText({ matched, complete }: MatchCount): string {
  const n = `${matched.toLocaleString("en-US")}${complete ? "" : "+"}`;
  if (complete && matched === 0) return "No device matches";
  return `${n} ${matched === 1 && complete ? "device matches" : "devices match"}`;
}

const FINISHED = new Set(["succeeded", "failed", "timed_out", "cancelled"]);

/** The job statuses as `counts` groups them. */
export function countJobs(jobs: Iterable<Job>): JobCounts {
  const counts: JobCounts = { queued: 0, inProgress: 0, succeeded: 0, failed: 0, timedOut: 0, cancelled: 0 };
  for (const job of jobs) {
    if (job.status === "queued") counts.queued++;
    else if (job.status === "timed_out") counts.timedOut++;
    else if (FINISHED.has(job.status)) counts[job.status as "succeeded" | "failed" | "cancelled"]++;
    else counts.inProgress++;
  }
  return counts;
}

export interface WaveProgress {
  index: number;
  devices: number;
  status: string;
  succeeded: number;
  failed: number;
  inProgress: number;
  /** Finished jobs (any final status) as a share of the wave, 0–100. */
  percent: number;
}

/** Each wave's progress from the jobs shown (a wave whose jobs are not loaded counts by its status). */
export function waveProgress(
  campaign: Pick<Campaign, "waves">,
  jobs: Iterable<Job>,
  allLoaded: boolean,
): WaveProgress[] {
  const byWave = new Map<number, Job[]>();
  for (const job of jobs) byWave.set(job.wave, [...byWave.get(job.wave) ?? [], job]);
  return campaign.waves.map((wave) => {
    const mine = byWave.get(wave.index) ?? [];
    const counts = countJobs(mine);
    const finished = counts.succeeded + counts.failed + counts.timedOut + counts.cancelled;
    const percent = !allLoaded && mine.length === 0
      ? (wave.status === "done" ? 100 : 0)
      : wave.devices === 0
      ? 100
      : Math.min(100, Math.round((finished / wave.devices) * 100));
    return {
      index: wave.index,
      devices: wave.devices,
      status: wave.status,
      succeeded: counts.succeeded,
      failed: counts.failed + counts.timedOut,
      inProgress: counts.inProgress,
      percent,
    };
  });
}

// deno-lint-ignore no-explicit-any -- event data is read field by field, per type
type Data = any;

/**
 * The campaign and its jobs after `events` (the ones of other campaigns are ignored). A final
 * job status is never left for an earlier one (events of a job can arrive out of order across
 * reloads), except the health gate's `succeeded` → `failed`.
 */
export function applyOtaEvents(
  campaign: Campaign,
  jobs: ReadonlyMap<string, Job>,
  events: readonly LiveEvent[],
): { campaign: Campaign; jobs: Map<string, Job>; changed: boolean } {
  let next = campaign;
  const nextJobs = new Map(jobs);
  let changed = false;
  for (const event of events) {
    const data = event.data as Data;
    if (data?.campaignId !== campaign.id) continue;
    changed = true;
    const type = event.type as string;
    if (type.startsWith("ota.campaign.")) {
      const status = ({
        "ota.campaign.started": "running",
        "ota.campaign.paused": "paused",
        "ota.campaign.resumed": "running",
        "ota.campaign.cancelled": "cancelled",
        "ota.campaign.aborted": "aborted",
        "ota.campaign.completed": "completed",
      } as Record<string, Campaign["status"]>)[type];
      const final = ["aborted", "cancelled", "completed"].includes(next.status);
      if (status && !(final && (status === "running" || status === "paused"))) {
        next = {
          ...next,
          status,
          ...(type === "ota.campaign.aborted" ? { abortReason: data.reason } : {}),
        };
      }
    } else if (type.startsWith("ota.wave.")) {
      const status = type === "ota.wave.started" ? "running" : "done";
      const waves = next.waves.map((w) =>
        w.index === data.index && w.status !== "done" ? { ...w, status } as typeof w : w
      );
      if (!waves.some((w) => w.index === data.index)) {
        waves.push({ index: data.index, devices: data.size ?? 0, status });
      }
      next = { ...next, waves };
    } else {
      const before = nextJobs.get(data.jobId);
      const job: Job = before ?? {
        jobId: data.jobId,
        deviceId: event.key,
        status: "queued",
        wave: data.wave ?? 0,
        updatedAt: event.time,
      };
      const status: Job["status"] = type === "ota.job.progress"
        ? data.status
        : (type.slice("ota.job.".length) as Job["status"]);
      if (!jobMayMove(job.status, status)) continue;
      nextJobs.set(data.jobId, {
        ...job,
        status,
        updatedAt: event.time,
        ...(data.progress === undefined ? {} : { progress: data.progress }),
        ...(status === "succeeded" ? { progress: 100 } : {}),
        ...(data.error === undefined ? {} : { error: data.error }),
        ...(data.detail === undefined ? {} : { detail: data.detail }),
      });
    }
  }
  return { campaign: next, jobs: nextJobs, changed };
}

const RANKS = ["queued", "dispatched", "downloading", "installing"];
const rank = (status: string) => (RANKS.includes(status) ? RANKS.indexOf(status) : RANKS.length);

const FINAL_CAMPAIGN = new Set<Campaign["status"]>(["completed", "aborted", "cancelled"]);
const FINAL_WAVE = new Set<Campaign["waves"][number]["status"]>(["done", "aborted", "cancelled"]);
/**
 * Whether a job may go from `from` to `to`: forward (or on, at the same step) until it finishes,
 * then only the health gate's step back from "succeeded" to "failed".
 */
const jobMayMove = (from: string, to: string) =>
  FINISHED.has(from) ? from === "succeeded" && to === "failed" : rank(to) >= rank(from);

/**
 * A campaign and its jobs as just loaded, merged with what the page shows. The read models may
 * trail live events the page has already applied (job and campaign events are projected
 * separately), so nothing moves back: a final campaign or wave stays final, a job keeps its
 * furthest status, and a job known only from the stream stays listed.
 */
export function mergeLoaded(
  shown: { campaign: Campaign | undefined; jobs: ReadonlyMap<string, Job> },
  loaded: { campaign: Campaign; jobs: readonly Job[] },
): { campaign: Campaign; jobs: Map<string, Job> } {
  const jobs = new Map(loaded.jobs.map((j) => [j.jobId, j]));
  const before = shown.campaign?.id === loaded.campaign.id ? shown.campaign : undefined;
  if (!before) return { campaign: loaded.campaign, jobs };
  let campaign = loaded.campaign;
  if (FINAL_CAMPAIGN.has(before.status) && !FINAL_CAMPAIGN.has(campaign.status)) {
    const { abortReason } = before;
    campaign = { ...campaign, status: before.status, ...(abortReason === undefined ? {} : { abortReason }) };
  }
  const finalWaves = new Map(before.waves.filter((w) => FINAL_WAVE.has(w.status)).map((w) => [w.index, w]));
  campaign = {
    ...campaign,
    waves: campaign.waves.map((w) => (FINAL_WAVE.has(w.status) ? w : finalWaves.get(w.index) ?? w)),
  };
  for (const [id, seen] of shown.jobs) {
    const job = jobs.get(id);
    // Kept when the page's status is a later step than the load's (the load trails it).
    if (!job || (seen.status !== job.status && jobMayMove(job.status, seen.status))) jobs.set(id, seen);
  }
  return { campaign, jobs };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
