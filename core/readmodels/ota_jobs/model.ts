/**
 * The OTA jobs read model (design §10): one row per job (a device's part of a campaign), as
 * `GET /ota/campaigns/{id}/jobs` lists it. The `ota` processor is the single writer of job events
 * and writes them in order per device; a status only moves forward here all the same, so a
 * repeated event (a redelivery after a crash) changes nothing. The one step back from a final
 * status is the health gate's: `succeeded` → `failed` with error `health`.
 */
import type { DomainEvent } from "../../events/catalog.ts";
import type { JobStatus } from "../../ota/mod.ts";
import { canonicalTime } from "../canonical_time.ts";
import { defineReadModel } from "../define.ts";

export interface OtaJobRow {
  jobId: string;
  campaignId: string;
  deviceId: string;
  wave: number;
  version: string;
  status: JobStatus;
  progress?: number;
  error?: string;
  /** What happened, for a health failure (no telemetry, which alert). */
  detail?: string;
  /** The version a device reported, when it failed the job with another one. */
  reportedVersion?: string;
  queuedAt: string;
  dispatchedAt?: string;
  finishedAt?: string;
  updatedAt: string;
}

const RANK: Record<JobStatus, number> = {
  queued: 0,
  dispatched: 1,
  downloading: 2,
  installing: 3,
  succeeded: 4,
  failed: 5,
  timed_out: 5,
  cancelled: 5,
};

function moved(row: OtaJobRow, status: JobStatus, at: string, extra: Partial<OtaJobRow> = {}): OtaJobRow {
  if (RANK[status] < RANK[row.status] || (RANK[status] === RANK[row.status] && RANK[status] >= 4)) return row;
  const { progress: _p, ...rest } = row;
  return {
    ...(status === "downloading" || status === "installing" ? row : rest),
    status,
    ...extra,
    ...(RANK[status] >= 4 ? { finishedAt: at } : {}),
    updatedAt: at,
  };
}

export function evolveOtaJob(row: OtaJobRow | undefined, event: DomainEvent): OtaJobRow | undefined {
  const at = canonicalTime(event.time);
  if (event.type === "ota.job.queued") {
    if (row) return row;
    const d = event.data;
    return {
      jobId: d.jobId,
      campaignId: d.campaignId,
      deviceId: event.key,
      wave: d.wave,
      version: d.version,
      status: "queued",
      queuedAt: at,
      updatedAt: at,
    };
  }
  if (!row) return row;
  switch (event.type) {
    case "ota.job.dispatched":
      return moved(row, "dispatched", at, { dispatchedAt: at });
    case "ota.job.progress": {
      const { status, progress } = event.data;
      if (RANK[status] < RANK[row.status]) return row;
      if (status === row.status && progress === row.progress) return row;
      return { ...moved(row, status, at), ...(progress === undefined ? {} : { progress }) };
    }
    case "ota.job.succeeded":
      return moved(row, "succeeded", at);
    case "ota.job.failed": {
      const { error, detail, version } = event.data;
      return moved(row, "failed", at, {
        error,
        ...(detail === undefined ? {} : { detail }),
        ...(version === undefined ? {} : { reportedVersion: version }),
      });
    }
    case "ota.job.timed_out":
      return moved(row, "timed_out", at, { error: `timed out while ${event.data.status}` });
    case "ota.job.cancelled":
      return moved(row, "cancelled", at, { error: `campaign ${event.data.reason}` });
    default:
      return row;
  }
}

export const otaJobs = defineReadModel<OtaJobRow, string>({
  name: "ota_jobs",
  version: 1,
  key: ["jobId"],
  columns: {
    jobId: "text",
    campaignId: "text",
    deviceId: "text",
    wave: "int",
    version: "text",
    status: "text",
    progress: "json?", // no optional number column type: a JSON number
    error: "text?",
    detail: "text?",
    reportedVersion: "text?",
    queuedAt: "text",
    dispatchedAt: "text?",
    finishedAt: "text?",
    updatedAt: "text",
  },
  migrations: [{
    version: 1,
    statements: [
      `CREATE TABLE ota_jobs (
        job_id {key} PRIMARY KEY, campaign_id {key} NOT NULL, device_id {key} NOT NULL, wave INTEGER NOT NULL,
        version TEXT NOT NULL, status TEXT NOT NULL, progress TEXT, error TEXT, detail TEXT,
        reported_version TEXT, queued_at TEXT NOT NULL, dispatched_at TEXT, finished_at TEXT,
        updated_at TEXT NOT NULL)`,
      "CREATE INDEX ota_jobs_by_campaign ON ota_jobs (campaign_id, job_id)",
      "CREATE INDEX ota_jobs_by_device ON ota_jobs (device_id, job_id)",
    ],
  }],
  eventTypes: [
    "ota.job.queued",
    "ota.job.dispatched",
    "ota.job.progress",
    "ota.job.succeeded",
    "ota.job.failed",
    "ota.job.timed_out",
    "ota.job.cancelled",
  ],
  keysOf: (event) => [(event.data as { jobId: string }).jobId],
  evolve: evolveOtaJob,
});
