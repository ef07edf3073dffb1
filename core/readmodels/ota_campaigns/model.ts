/**
 * The OTA campaigns read model (design §10): one row per campaign with its settings, status and
 * waves. Operator transitions follow the same rule the `ota` processor applies (`canApply`), and
 * the processor's outcomes (`aborted`, `completed`) win over a pause or resume that was appended
 * just before them, so the row ends where the processor's state does. Job counts are not kept
 * here: they are counted from the jobs read model, where a repeated job event cannot count twice.
 */
import type { DomainEvent } from "../../events/catalog.ts";
import { type CampaignStatus, canApply, planWaves } from "../../ota/mod.ts";
import { canonicalTime } from "../canonical_time.ts";
import { defineReadModel } from "../define.ts";
import type { JsonObject } from "../json_value.ts";

export type WaveStatus = "pending" | "running" | "done" | "aborted" | "cancelled";

export interface WaveView {
  index: number;
  devices: number;
  status: WaveStatus;
}

export interface OtaCampaignRow {
  id: string;
  name: string;
  firmwareId: string;
  version: string;
  status: CampaignStatus;
  target: JsonObject;
  /** `waves` setting as created (`{"size"?, "percent"?}`). */
  waveSettings?: JsonObject;
  abort?: JsonObject;
  jobTimeoutSeconds: number;
  health?: JsonObject;
  waves: WaveView[];
  abortReason?: string;
  createdAt: string;
  createdBy?: string;
  startedAt?: string;
  finishedAt?: string;
  updatedAt: string;
}

const OPERATOR: Record<string, "pause" | "resume" | "cancel"> = {
  "ota.campaign.paused": "pause",
  "ota.campaign.resumed": "resume",
  "ota.campaign.cancelled": "cancel",
};
const TO: Record<"pause" | "resume" | "cancel", CampaignStatus> = {
  pause: "paused",
  resume: "running",
  cancel: "cancelled",
};

function withWave(row: OtaCampaignRow, index: number, status: WaveStatus, at: string): OtaCampaignRow {
  const waves = row.waves.map((w) => (w.index === index ? { ...w, status } : w));
  return { ...row, waves, updatedAt: at };
}

/** The running wave ends as `status` (the campaign was aborted or cancelled). */
const endRunning = (waves: WaveView[], status: WaveStatus) =>
  waves.map((w) => (w.status === "running" ? { ...w, status } : w));

export function evolveOtaCampaign(
  row: OtaCampaignRow | undefined,
  event: DomainEvent,
): OtaCampaignRow | undefined {
  const at = canonicalTime(event.time);
  if (event.type === "ota.campaign.created") {
    if (row) return row;
    const d = event.data;
    return {
      id: d.campaignId,
      name: d.name,
      firmwareId: d.firmwareId,
      version: d.version,
      status: "created",
      target: d.target as JsonObject,
      ...(d.waves ? { waveSettings: d.waves as JsonObject } : {}),
      ...(d.abort ? { abort: d.abort as JsonObject } : {}),
      jobTimeoutSeconds: d.jobTimeoutSeconds,
      ...(d.health ? { health: d.health as JsonObject } : {}),
      waves: [],
      createdAt: at,
      ...(d.by ? { createdBy: d.by } : {}),
      updatedAt: at,
    };
  }
  if (!row) return row;
  switch (event.type) {
    case "ota.campaign.started": {
      if (!canApply(row.status, "start")) return row;
      const plan = planWaves([...new Set(event.data.devices)], row.waveSettings ?? {});
      return {
        ...row,
        status: "running",
        waves: plan.map((devices, index) => ({ index, devices: devices.length, status: "pending" })),
        startedAt: at,
        updatedAt: at,
      };
    }
    case "ota.campaign.paused":
    case "ota.campaign.resumed":
    case "ota.campaign.cancelled": {
      const kind = OPERATOR[event.type]!;
      if (!canApply(row.status, kind)) return row;
      const status = TO[kind];
      return {
        ...row,
        status,
        ...(status === "cancelled" ? { waves: endRunning(row.waves, "cancelled"), finishedAt: at } : {}),
        updatedAt: at,
      };
    }
    case "ota.campaign.aborted":
      if (row.status !== "running" && row.status !== "paused") return row;
      return {
        ...row,
        status: "aborted",
        abortReason: event.data.reason,
        waves: endRunning(row.waves, "aborted"),
        finishedAt: at,
        updatedAt: at,
      };
    case "ota.campaign.completed":
      if (row.status !== "running" && row.status !== "paused") return row;
      return { ...row, status: "completed", finishedAt: at, updatedAt: at };
    case "ota.wave.started":
      return withWave(row, event.data.index, "running", at);
    case "ota.wave.finished":
      return withWave(row, event.data.index, "done", at);
    default:
      return row;
  }
}

export const otaCampaigns = defineReadModel<OtaCampaignRow, string>({
  name: "ota_campaigns",
  version: 1,
  key: ["id"],
  columns: {
    id: "text",
    name: "text",
    firmwareId: "text",
    version: "text",
    status: "text",
    target: "json",
    waveSettings: "json?",
    abort: "json?",
    jobTimeoutSeconds: "int",
    health: "json?",
    waves: "json",
    abortReason: "text?",
    createdAt: "text",
    createdBy: "text?",
    startedAt: "text?",
    finishedAt: "text?",
    updatedAt: "text",
  },
  migrations: [{
    version: 1,
    statements: [
      `CREATE TABLE ota_campaigns (
        id {key} PRIMARY KEY, name TEXT NOT NULL, firmware_id {key} NOT NULL, version TEXT NOT NULL,
        status TEXT NOT NULL, target TEXT NOT NULL, wave_settings TEXT, abort TEXT,
        job_timeout_seconds INTEGER NOT NULL, health TEXT, waves TEXT NOT NULL, abort_reason TEXT,
        created_at TEXT NOT NULL, created_by TEXT, started_at TEXT, finished_at TEXT, updated_at TEXT NOT NULL)`,
      "CREATE INDEX ota_campaigns_by_firmware ON ota_campaigns (firmware_id, status)",
    ],
  }],
  eventTypes: [
    "ota.campaign.created",
    "ota.campaign.started",
    "ota.campaign.paused",
    "ota.campaign.resumed",
    "ota.campaign.cancelled",
    "ota.campaign.aborted",
    "ota.campaign.completed",
    "ota.wave.started",
    "ota.wave.finished",
  ],
  keysOf: (event) => [(event.data as { campaignId: string }).campaignId],
  evolve: evolveOtaCampaign,
});
