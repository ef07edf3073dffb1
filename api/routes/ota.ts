/**
 * OTA campaigns (design §10): `POST /ota/campaigns` appends `ota.campaign.created` (a campaign
 * is configuration, so it is an event), `start|pause|resume|cancel` append the operator's
 * transitions (the target is resolved at the start and travels in `ota.campaign.started`); the
 * `ota` processor does the rest. Reads come from the campaigns and jobs read models; campaign
 * and job events reach `/stream` like every event.
 */
import { z } from "zod";
import { createEvent } from "../../core/events/catalog.ts";
import { otaAbortSchema, otaHealthSchema, otaWavesSchema } from "../../core/events/ota.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../core/errors.ts";
import { canApply } from "../../core/ota/mod.ts";
import {
  countOtaJobs,
  getFirmware,
  getOtaCampaign,
  listOtaCampaigns,
  listOtaJobs,
  type OtaCampaignRow,
  type OtaJobRow,
} from "../../core/readmodels/mod.ts";
import type { ApiContext } from "./api_context.ts";
import { route } from "./define.ts";
import { oneAtATimePerKey } from "./one_at_a_time.ts";
import { resolveTarget } from "./ota_targets.ts";
import { cursorParam, entityId, labels, limitParam, plainText } from "./schemas.ts";

const campaignBody = z.strictObject({
  name: plainText({ min: 1, max: 256 }),
  firmwareId: entityId,
  target: z.strictObject({
    devices: z.array(entityId).min(1, "expected at least one device").max(20_000).optional(),
    labels: labels.optional(),
  }),
  waves: otaWavesSchema.optional(),
  abort: otaAbortSchema.optional(),
  jobTimeoutSeconds: z.int().min(1).max(86_400 * 30).default(3600),
  health: otaHealthSchema.optional(),
});

const JOB_STATUSES = [
  "queued",
  "dispatched",
  "downloading",
  "installing",
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
] as const;

const invalid = (path: string, message: string) =>
  new ValidationError(`Invalid campaign: ${path}: ${message}`, { details: [{ path, message }] });

function campaignSummary(row: OtaCampaignRow) {
  const { waveSettings, ...rest } = row;
  return { ...rest, ...(waveSettings ? { waveSettings } : {}) };
}

function jobView(row: OtaJobRow) {
  return {
    jobId: row.jobId,
    deviceId: row.deviceId,
    status: row.status,
    wave: row.wave,
    ...(row.progress === undefined ? {} : { progress: row.progress }),
    ...(row.error === undefined ? {} : { error: row.error }),
    ...(row.detail === undefined ? {} : { detail: row.detail }),
    ...(row.reportedVersion === undefined ? {} : { reportedVersion: row.reportedVersion }),
    ...(row.dispatchedAt === undefined ? {} : { dispatchedAt: row.dispatchedAt }),
    ...(row.finishedAt === undefined ? {} : { finishedAt: row.finishedAt }),
    updatedAt: row.updatedAt,
  };
}

export function otaRoutes(ctx: ApiContext) {
  const { readModels, topics } = ctx.deps;
  const oneAtATime = oneAtATimePerKey();

  async function view(row: OtaCampaignRow) {
    return { ...campaignSummary(row), counts: await countOtaJobs(readModels, row.id) };
  }

  async function found(id: string): Promise<OtaCampaignRow> {
    const row = await getOtaCampaign(readModels, id);
    if (!row) throw new NotFoundError(`Campaign "${id}" does not exist`);
    return row;
  }

  const transition = (kind: "start" | "pause" | "resume" | "cancel", summary: string) =>
    route({
      method: "post",
      path: `/api/v1/ota/campaigns/{id}/${kind}`,
      summary,
      tag: "ota",
      permission: "operate",
      responses: { 200: "The campaign", 404: "No such campaign", 409: "Not possible in its status" },
      async handle({ c, params, principal }) {
        const id = params.id!;
        return await oneAtATime(id, async () => {
          const row = await found(id);
          if (!canApply(row.status, kind)) {
            throw new ConflictError(`Cannot ${kind} campaign "${id}": it is ${row.status}`);
          }
          const options = { key: id, source: "api", now: ctx.now };
          const by = principal!.actor;
          let event;
          if (kind === "start") {
            const devices = await resolveTarget(readModels, {
              devices: row.target.deviceIds as string[] | undefined,
              labels: row.target.labels as Record<string, string> | undefined,
            });
            if (devices.length === 0) {
              throw new ConflictError(`Cannot start campaign "${id}": no device matches its target now`);
            }
            event = createEvent("ota.campaign.started", { campaignId: id, devices, by }, options);
          } else {
            const type = kind === "pause"
              ? "ota.campaign.paused"
              : kind === "resume"
              ? "ota.campaign.resumed"
              : "ota.campaign.cancelled";
            event = createEvent(type, { campaignId: id, by }, options);
          }
          await ctx.append(topics.ota, [event]);
          return c.json(await view(await found(id)));
        });
      },
    });

  return [
    route({
      method: "post",
      path: "/api/v1/ota/campaigns",
      summary: "Create a campaign: roll a firmware out to the devices a target selects, in waves",
      tag: "ota",
      permission: "operate",
      body: campaignBody,
      responses: { 201: "Created", 400: "Invalid campaign (unknown firmware, empty target, bad waves)" },
      async handle({ c, body, principal }) {
        const firmware = await getFirmware(readModels, body.firmwareId);
        if (!firmware) throw invalid("firmwareId", `no firmware "${body.firmwareId}"`);
        const devices = await resolveTarget(readModels, body.target);
        if (devices.length === 0) throw invalid("target", "no device matches");
        const campaignId = ctx.newId();
        const { target, ...settings } = body;
        await ctx.append(topics.ota, [
          createEvent("ota.campaign.created", {
            ...settings,
            campaignId,
            version: firmware.version,
            sha256: firmware.sha256,
            size: firmware.size,
            target: {
              ...(target.devices ? { deviceIds: target.devices } : {}),
              ...(target.labels ? { labels: target.labels } : {}),
            },
            by: principal!.actor,
          }, { key: campaignId, source: "api", now: ctx.now }),
        ]);
        const row = await getOtaCampaign(readModels, campaignId);
        c.header("Location", `/api/v1/ota/campaigns/${campaignId}`);
        return c.json(
          row ? await view(row) : { id: campaignId, status: "created", version: firmware.version, ...body },
          201,
        );
      },
    }),
    route({
      method: "get",
      path: "/api/v1/ota/campaigns",
      summary: "Campaigns, newest first, with their job counts",
      tag: "ota",
      permission: "read",
      query: z.object({ cursor: cursorParam, limit: limitParam }),
      responses: { 200: "Campaigns", 400: "Invalid query" },
      async handle({ c, query }) {
        const page = await listOtaCampaigns(readModels, { cursor: query.cursor, limit: query.limit ?? 20 });
        const items = await Promise.all(page.items.map(view));
        return c.json({ items, ...(page.next ? { next: page.next } : {}) });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/ota/campaigns/{id}",
      summary: "One campaign: status, job counts by status and its waves",
      tag: "ota",
      permission: "read",
      responses: { 200: "The campaign", 404: "No such campaign" },
      async handle({ c, params }) {
        return c.json(await view(await found(params.id!)));
      },
    }),
    route({
      method: "get",
      path: "/api/v1/ota/campaigns/{id}/jobs",
      summary: "The jobs of a campaign: one per device, with status, progress and error",
      tag: "ota",
      permission: "read",
      query: z.object({ status: z.enum(JOB_STATUSES).optional(), cursor: cursorParam, limit: limitParam }),
      responses: { 200: "Jobs", 400: "Invalid query", 404: "No such campaign" },
      async handle({ c, params, query }) {
        await found(params.id!);
        const page = await listOtaJobs(readModels, params.id!, {
          ...(query.status ? { status: query.status } : {}),
          ...(query.cursor ? { cursor: query.cursor } : {}),
          ...(query.limit ? { limit: query.limit } : {}),
        });
        return c.json({ items: page.items.map(jobView), ...(page.next ? { next: page.next } : {}) });
      },
    }),
    transition("start", "Start a campaign: its target is resolved now and its first wave dispatched"),
    transition("pause", "Pause a campaign: nothing more is dispatched; jobs under way run on"),
    transition("resume", "Resume a paused campaign"),
    transition("cancel", "Cancel a campaign: nothing more is dispatched and its queued jobs are cancelled"),
  ];
}
