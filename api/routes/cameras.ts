/**
 * Cameras (issue 19). A camera is a device of kind `camera` plus its configuration
 * (`camera.configured` events): operators create, change and delete it; the RTSP URL is answered
 * without its credentials, which are sealed and never shown. Viewers watch it live over WebRTC
 * (WHEP: SDP offer in, SDP answer out, through Janus), or over HLS, and list and play its
 * recordings. Status comes from the camera supervisor's `camera.stream.online/offline` events.
 */
import { z } from "zod";
import {
  CameraUnavailableError,
  parseRtspSource,
  recordingRuns,
  segmentsIn,
  vodPlaylist,
  WhepOfferError,
} from "../../core/cameras/mod.ts";
import { decommissionDevice, registerDevice, updateDevice } from "../../core/devices/registry.ts";
import { createEvent } from "../../core/events/catalog.ts";
import { AiotError, InfrastructureError, NotFoundError, ValidationError } from "../../core/errors.ts";
import {
  type CameraRow,
  type CameraSource,
  getCamera,
  listCameras,
} from "../../core/readmodels/cameras/mod.ts";
import type { CameraApiDeps } from "../deps.ts";
import { UnsupportedMediaTypeError } from "../http_errors.ts";
import type { ApiContext } from "./api_context.ts";
import { route } from "./define.ts";
import { entityId, labelFilterParam, labels, plainText } from "./schemas.ts";
import { definedOnly } from "./validation.ts";

/** The viewer's offer cannot be served (no H.264 at a payload type the relay sends). */
class NotAcceptableError extends AiotError {
  readonly code = "not_acceptable";
  readonly status = 406;
}

const source = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("rtsp"), url: z.string().min(1).max(2048) }),
  z.strictObject({ kind: z.literal("push") }),
]);

const retentionHours = z.number().positive().max(24 * 365);

const newCamera = z.strictObject({
  id: entityId.optional(),
  name: plainText({ min: 1, max: 256 }).optional(),
  labels: labels.optional(),
  source,
  record: z.boolean().optional(),
  retentionHours: retentionHours.optional(),
});

const cameraChanges = z.strictObject({
  name: plainText({ min: 1, max: 256 }).optional(),
  labels: labels.optional(),
  source: source.optional(),
  record: z.boolean().optional(),
  retentionHours: retentionHours.optional(),
}).refine((body) => Object.values(body).some((v) => v !== undefined), {
  error: "expected at least one field",
});

const listQuery = z.object({
  label: labelFilterParam,
});

const isoTime = z.iso.datetime({ offset: true, error: "expected an ISO-8601 date-time" })
  .transform((text) => Date.parse(text));
const rangeQuery = z.object({ from: isoTime.optional(), to: isoTime.optional() });

/** A camera as the API shows it: never its credentials nor its push secret. */
export function cameraView(row: CameraRow) {
  return {
    id: row.id,
    ...(row.name === undefined ? {} : { name: row.name }),
    labels: row.labels,
    source: row.source.kind === "rtsp" ? { kind: "rtsp", url: row.source.url } : { kind: "push" },
    record: row.record,
    retentionHours: row.retentionHours,
    status: row.status,
    ...(row.reason === undefined ? {} : { reason: row.reason }),
    since: row.since,
    ...(row.codec === undefined ? {} : { codec: row.codec }),
    ...(row.width === undefined ? {} : { width: row.width }),
    ...(row.height === undefined ? {} : { height: row.height }),
  };
}

const badUrl = (message: string) =>
  new ValidationError(`Invalid request body: source.url: ${message}`, {
    details: [{ path: "source.url", message }],
  });

/**
 * How long `POST …/whep` waits for a camera that is not online yet, and how many requests may wait
 * at once (beyond that they are answered at once). The live feed tails the log, which runs ahead of
 * the read model: a viewer told "online" by `camera.stream.online` may ask before the row says so.
 */
const WHEP_ONLINE_WAIT_MS = 3_000;
const WHEP_MAX_WAITING = 64;
const WHEP_POLL_MS = 100;

export function cameraRoutes(ctx: ApiContext, cameras: CameraApiDeps) {
  const { readModels, topics } = ctx.deps;
  const found = async (id: string) => {
    const row = await getCamera(readModels, id);
    if (!row) throw new NotFoundError(`Camera "${id}" does not exist`);
    return row;
  };
  let waiting = 0;
  /** The camera's row once online, or as it stands after the wait (or at once when too many wait). */
  const onlineRow = async (id: string): Promise<CameraRow> => {
    let row = await found(id);
    if (row.status === "online" || waiting >= WHEP_MAX_WAITING) return row;
    waiting++;
    try {
      const deadline = performance.now() + (cameras.whepOnlineWaitMs ?? WHEP_ONLINE_WAIT_MS);
      while (row.status !== "online" && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, WHEP_POLL_MS));
        row = await found(id);
      }
      return row;
    } finally {
      waiting--;
    }
  };

  /** The stored form of a source: the URL without credentials, the credentials sealed; a push secret. */
  async function storedSource(
    id: string,
    input: z.output<typeof source>,
  ): Promise<{ source: CameraSource; credentials?: string; pushSecret?: string }> {
    if (input.kind === "push") {
      if (!cameras.pushUrl) {
        const message = "push ingest is not configured (AIOT_CAMERA_RTMP_URL)";
        throw new ValidationError(`Invalid request body: source.kind: ${message}`, {
          details: [{ path: "source.kind", message }],
        });
      }
      // The stream key is the publisher's secret: sealed like RTSP credentials, shown once.
      const secret = ctx.deps.generateToken();
      return {
        source: { kind: "push" },
        credentials: await cameras.secrets.seal(secret, id),
        pushSecret: secret,
      };
    }
    const parsed = parseRtspSource(input.url);
    if (!parsed.ok) throw badUrl(parsed.reason);
    const refused = await cameras.checkUrl(parsed.url);
    if (refused !== undefined) throw badUrl(refused);
    return {
      source: { kind: "rtsp", url: parsed.url },
      ...(parsed.credentials === undefined
        ? {}
        : { credentials: await cameras.secrets.seal(parsed.credentials, id) }),
    };
  }

  /** A new push source's publish URL and stream key: in this answer and nowhere else. */
  const pushView = (secret: string | undefined) =>
    secret === undefined ? {} : { push: { url: `${cameras.pushUrl}/${secret}`, secret } };

  const mediaResponse = (
    file: { body: ReadableStream<Uint8Array> | Uint8Array; size: number; contentType: string },
  ) =>
    new Response(file.body as BodyInit, {
      headers: {
        "content-type": file.contentType,
        "content-length": String(file.size),
        "cache-control": file.contentType.includes("mpegurl") ? "no-cache" : "private, max-age=86400",
      },
    });

  return [
    route({
      method: "post",
      path: "/api/v1/cameras",
      summary: "Register a camera (a device of kind camera); RTSP credentials are stored sealed, never shown",
      tag: "cameras",
      permission: "operate",
      body: newCamera,
      responses: {
        201:
          "Registered; a push source's publish URL and stream key (`push`) are in the body and nowhere else",
        400: "Invalid body, or a URL that is not rtsp:// or points into a private network",
        409: "The id exists",
      },
      async handle({ c, body, principal }) {
        const id = body.id ?? ctx.newId();
        const stored = await storedSource(id, body.source);
        await registerDevice(ctx.registry, {
          id,
          kind: "camera",
          ...(body.name === undefined ? {} : { name: body.name }),
          ...(body.labels === undefined ? {} : { labels: body.labels }),
        }, principal!.actor);
        const record = body.record ?? true;
        const retention = body.retentionHours ?? 24;
        const event = createEvent("camera.configured", {
          ...(body.name === undefined ? {} : { name: body.name }),
          labels: body.labels ?? {},
          source: stored.source,
          ...(stored.credentials === undefined ? {} : { credentials: stored.credentials }),
          record,
          retentionHours: retention,
          by: principal!.actor,
        }, { key: id, source: "api", now: ctx.now });
        await ctx.append(topics.device, [event]);
        const row = await getCamera(readModels, id);
        const view = row ? cameraView(row) : {
          id,
          ...(body.name === undefined ? {} : { name: body.name }),
          labels: body.labels ?? {},
          source: body.source.kind === "rtsp"
            ? { kind: "rtsp", url: (stored.source as { url: string }).url }
            : {
              kind: "push",
            },
          record,
          retentionHours: retention,
          status: "starting",
          since: new Date(ctx.now()).toISOString(),
        };
        c.header("Location", `/api/v1/cameras/${encodeURIComponent(id)}`);
        return c.json({ ...view, ...pushView(stored.pushSecret) }, 201);
      },
    }),
    route({
      method: "get",
      path: "/api/v1/cameras",
      summary: "List cameras, optionally with a label",
      tag: "cameras",
      permission: "read",
      query: listQuery,
      responses: { 200: "Every camera (by id)", 400: "Invalid query" },
      async handle({ c, query }) {
        const rows = await listCameras(readModels, definedOnly(query));
        return c.json({ items: rows.map(cameraView) });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/cameras/{id}",
      summary: "One camera with its stream status",
      tag: "cameras",
      permission: "read",
      responses: { 200: "The camera", 404: "No such camera" },
      handle: async ({ c, params }) => c.json(cameraView(await found(params.id!))),
    }),
    route({
      method: "patch",
      path: "/api/v1/cameras/{id}",
      summary: "Change a camera (a new source restarts its relay)",
      tag: "cameras",
      permission: "operate",
      body: cameraChanges,
      responses: {
        200: "The camera (with `push` when a new push source was set: its stream key, shown once)",
        400: "Invalid body",
        404: "No such camera",
      },
      async handle({ c, params, body, principal }) {
        const id = params.id!;
        await found(id);
        const stored = body.source ? await storedSource(id, body.source) : undefined;
        if (body.name !== undefined || body.labels !== undefined) {
          await updateDevice(ctx.registry, id, {
            ...(body.name === undefined ? {} : { name: body.name }),
            ...(body.labels === undefined ? {} : { labels: body.labels }),
          }, principal!.actor);
        }
        const event = createEvent("camera.configured", {
          ...(body.name === undefined ? {} : { name: body.name }),
          ...(body.labels === undefined ? {} : { labels: body.labels }),
          ...(stored ? { source: stored.source } : {}),
          ...(stored?.credentials === undefined ? {} : { credentials: stored.credentials }),
          ...(body.record === undefined ? {} : { record: body.record }),
          ...(body.retentionHours === undefined ? {} : { retentionHours: body.retentionHours }),
          by: principal!.actor,
        }, { key: id, source: "api", now: ctx.now });
        await ctx.append(topics.device, [event]);
        return c.json({ ...cameraView(await found(id)), ...pushView(stored?.pushSecret) });
      },
    }),
    route({
      method: "delete",
      path: "/api/v1/cameras/{id}",
      summary: "Delete a camera: its relay stops, its mountpoint and recordings are removed",
      tag: "cameras",
      permission: "operate",
      responses: { 204: "Deleted", 404: "No such camera" },
      async handle({ c, params, principal }) {
        const id = params.id!;
        await found(id);
        await ctx.append(topics.device, [
          createEvent("camera.removed", { by: principal!.actor }, { key: id, source: "api", now: ctx.now }),
        ]);
        await decommissionDevice(ctx.registry, id, principal!.actor, "camera deleted").catch((error) => {
          if (!(error instanceof NotFoundError)) throw error;
        });
        return c.body(null, 204);
      },
    }),
    route({
      method: "post",
      path: "/api/v1/cameras/{id}/whep",
      summary:
        "WHEP: an SDP offer (recvonly video, application/sdp) in, the SDP answer with all candidates out",
      tag: "cameras",
      permission: "read",
      guard(c) {
        if (!(c.req.header("content-type") ?? "").toLowerCase().startsWith("application/sdp")) {
          throw new UnsupportedMediaTypeError("Expected Content-Type: application/sdp");
        }
      },
      responses: {
        201: "The answer (application/sdp); Location names the session",
        404: "No such camera",
        406: "The offer does not receive H.264 at a payload type the relay sends",
        415: "Not application/sdp",
        503:
          "The camera is not online (after waiting up to 3 s for it), or the WebRTC gateway is unavailable",
      },
      async handle({ c, params }) {
        const id = params.id!;
        if (!cameras.whep) {
          await found(id);
          throw new InfrastructureError("WebRTC is not configured (AIOT_JANUS_URL); use HLS", {
            retriable: false,
          });
        }
        const row = await onlineRow(id);
        if (row.status !== "online") {
          throw new InfrastructureError(
            `Camera "${id}" is ${row.status}${row.reason ? `: ${row.reason}` : ""}`,
            {
              retriable: true,
            },
          );
        }
        const offer = await c.req.text();
        try {
          const { sessionId, answer } = await cameras.whep.open(id, offer);
          return new Response(answer, {
            status: 201,
            headers: {
              "content-type": "application/sdp",
              location: `/api/v1/cameras/${encodeURIComponent(id)}/whep/${sessionId}`,
            },
          });
        } catch (error) {
          if (error instanceof WhepOfferError) throw new NotAcceptableError(error.message);
          if (error instanceof CameraUnavailableError) {
            throw new InfrastructureError(error.message, { retriable: true, cause: error });
          }
          throw error;
        }
      },
    }),
    route({
      method: "delete",
      path: "/api/v1/cameras/{id}/whep/{sessionId}",
      summary: "End a WHEP session",
      tag: "cameras",
      permission: "read",
      responses: { 204: "Ended", 404: "No such session" },
      async handle({ c, params }) {
        if (!cameras.whep || !await cameras.whep.close(params.id!, params.sessionId!)) {
          throw new NotFoundError(`WHEP session "${params.sessionId}" does not exist`);
        }
        return c.body(null, 204);
      },
    }),
    route({
      method: "get",
      path: "/api/v1/cameras/{id}/hls/{file}",
      summary: "Live HLS: live.m3u8 and its segments (segments of recordings too)",
      tag: "cameras",
      permission: "read",
      responses: { 200: "The playlist or segment", 404: "No such camera or file" },
      async handle({ params }) {
        await found(params.id!);
        const file = await cameras.media.readFile(params.id!, params.file!);
        if (!file) throw new NotFoundError(`No "${params.file}" for camera "${params.id}" (offline?)`);
        return mediaResponse(file);
      },
    }),
    route({
      method: "get",
      path: "/api/v1/cameras/{id}/recordings",
      summary: "Continuous recorded runs in [from, to) (default: the last 24 hours), oldest first",
      tag: "cameras",
      permission: "read",
      query: rangeQuery,
      responses: { 200: "The runs", 400: "Invalid range", 404: "No such camera" },
      async handle({ c, params, query }) {
        await found(params.id!);
        const to = query.to ?? ctx.now();
        const from = query.from ?? to - 24 * 3_600_000;
        const runs = recordingRuns(await cameras.media.recordedSegments(params.id!), from, to);
        return c.json({
          items: runs.map((r) => ({
            start: new Date(r.start).toISOString(),
            end: new Date(r.end).toISOString(),
            seconds: r.seconds,
          })),
        });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/cameras/{id}/recordings/playlist.m3u8",
      summary: "A VOD HLS playlist of the recorded segments in [from, to) (default: the last hour)",
      tag: "cameras",
      permission: "read",
      query: rangeQuery,
      responses: {
        200: "The playlist",
        400: "Invalid range",
        404: "No such camera, or nothing recorded then",
      },
      async handle({ params, query }) {
        await found(params.id!);
        const to = query.to ?? ctx.now();
        const from = query.from ?? to - 3_600_000;
        const segments = segmentsIn(await cameras.media.recordedSegments(params.id!), from, to);
        if (segments.length === 0) {
          throw new NotFoundError(`Camera "${params.id}" recorded nothing in that range`);
        }
        return new Response(vodPlaylist(segments, "../hls/"), {
          headers: { "content-type": "application/vnd.apple.mpegurl", "cache-control": "no-cache" },
        });
      },
    }),
  ];
}
