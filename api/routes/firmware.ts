/**
 * Firmware (design §10). Operators upload images (`POST /firmware?name=&version=`, the raw bytes
 * streamed into the firmware store, hashed on the way, never held in memory) and list or delete
 * them; the metadata is an event (`firmware.published`/`firmware.deleted` on the ota topic) read
 * back from the firmware read model. Devices download through signed, expiring, per-job URLs
 * (`GET /firmware/{id}/download?job=&device=&exp=&sig=`, no other credential), with `Range`
 * for resuming over flaky links; the image is streamed from the store as the client reads it.
 */
import { z } from "zod";
import { createEvent } from "../../core/events/catalog.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../core/errors.ts";
import { answerRange, FirmwareTooLargeError } from "../../core/firmware/mod.ts";
import {
  findFirmwareRelease,
  firmwareBytesInUse,
  firmwareInUse,
  type FirmwareRow,
  getFirmware,
  listFirmware,
} from "../../core/readmodels/mod.ts";
import type { FirmwareApiDeps } from "../deps.ts";
import { ForbiddenError } from "../http_errors.ts";
import type { ApiContext } from "./api_context.ts";
import { route } from "./define.ts";
import { oneAtATimePerKey } from "./one_at_a_time.ts";
import { cursorParam, limitParam, plainText } from "./schemas.ts";

/** `AIOT_FIRMWARE_MAX_BYTES` when not configured: 256 MiB. */
export const DEFAULT_FIRMWARE_MAX_BYTES = 256 * 1024 * 1024;

const releaseQuery = z.object({
  name: plainText({ min: 1, max: 128 }),
  version: plainText({ min: 1, max: 64 }),
});

/** Lenient on purpose: a missing or malformed parameter is a bad signature (403), not a 400. */
const downloadQuery = z.object({
  job: z.string().max(256).optional(),
  device: z.string().max(256).optional(),
  exp: z.string().max(32).optional(),
  sig: z.string().max(256).optional(),
});

/** An image as the API shows it. */
export function firmwareView(row: FirmwareRow) {
  const { createdBy: _by, ...view } = row;
  return view;
}

export function firmwareRoutes(ctx: ApiContext, firmware: FirmwareApiDeps) {
  const { readModels, topics } = ctx.deps;
  const maxBytes = firmware.maxBytes ?? DEFAULT_FIRMWARE_MAX_BYTES;
  // A campaign that is not finished (created, running, paused) holds its image.
  const inUse = firmware.firmwareInUse ?? ((id: string) => firmwareInUse(readModels, id));
  const oneAtATime = oneAtATimePerKey();
  const exclusive = <T>(work: () => Promise<T>) => oneAtATime("firmware", work);
  const conflict = (name: string, version: string) =>
    new ConflictError(`Firmware "${name}" version "${version}" exists`);

  return [
    route({
      method: "post",
      path: "/api/v1/firmware",
      summary: "Upload a firmware image (the raw bytes); stored by its SHA-256",
      tag: "firmware",
      permission: "operate",
      query: releaseQuery,
      rawBody: { contentType: "application/octet-stream", description: "The image, as is" },
      responses: {
        201: "Stored",
        400: "Invalid name or version, or an empty body",
        409: "This name and version exist",
        413: "Larger than AIOT_FIRMWARE_MAX_BYTES",
      },
      async handle({ c, query, principal }) {
        const { name, version } = query;
        const declared = Number(c.req.header("content-length"));
        if (declared > maxBytes) {
          throw new FirmwareTooLargeError(`Firmware images are at most ${maxBytes} bytes`);
        }
        // Before streaming up to 256 MiB only to refuse it.
        if (await findFirmwareRelease(readModels, name, version)) throw conflict(name, version);
        const body = c.req.raw.body;
        if (!body) throw new ValidationError("Cannot store firmware: the body is empty");
        const staged = await firmware.store.stage(body, { maxBytes });
        try {
          return await exclusive(async () => {
            if (await findFirmwareRelease(readModels, name, version)) throw conflict(name, version);
            // Bytes first, then the event: a crash in between leaves unreferenced bytes, never a
            // published image without them.
            await staged.commit();
            const id = ctx.newId();
            const { sha256, size } = staged;
            const event = createEvent(
              "firmware.published",
              { firmwareId: id, name, version, sha256, size, by: principal!.actor },
              { key: id, source: "api", now: ctx.now },
            );
            await ctx.append(topics.ota, [event]);
            const row = await getFirmware(readModels, id);
            c.header("Location", `/api/v1/firmware/${id}`);
            return c.json(
              row ? firmwareView(row) : { id, name, version, size, sha256, createdAt: event.time },
              201,
            );
          });
        } finally {
          await staged.discard(); // nothing after a commit
        }
      },
    }),
    route({
      method: "get",
      path: "/api/v1/firmware",
      summary: "Firmware images, oldest first",
      tag: "firmware",
      permission: "read",
      query: z.object({ cursor: cursorParam, limit: limitParam }),
      responses: { 200: "Images", 400: "Invalid query" },
      async handle({ c, query }) {
        const page = await listFirmware(readModels, { cursor: query.cursor, limit: query.limit });
        return c.json({ items: page.items.map(firmwareView), ...(page.next ? { next: page.next } : {}) });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/firmware/{id}",
      summary: "One firmware image's metadata",
      tag: "firmware",
      permission: "read",
      responses: { 200: "The image", 404: "No such image" },
      async handle({ c, params }) {
        const row = await getFirmware(readModels, params.id!);
        if (!row) throw new NotFoundError(`Firmware "${params.id}" does not exist`);
        return c.json(firmwareView(row));
      },
    }),
    route({
      method: "delete",
      path: "/api/v1/firmware/{id}",
      summary: "Delete a firmware image no campaign uses",
      tag: "firmware",
      permission: "operate",
      responses: { 204: "Deleted", 404: "No such image", 409: "A campaign uses it" },
      async handle({ c, params, principal }) {
        const id = params.id!;
        return await exclusive(async () => {
          const row = await getFirmware(readModels, id);
          if (!row) throw new NotFoundError(`Firmware "${id}" does not exist`);
          if (await inUse(id)) throw new ConflictError(`Firmware "${id}" is used by a campaign`);
          await ctx.append(topics.ota, [
            createEvent("firmware.deleted", { firmwareId: id, by: principal!.actor }, {
              key: id,
              source: "api",
              now: ctx.now,
            }),
          ]);
          // The store keeps one copy per digest: other images may share these bytes.
          if (!await firmwareBytesInUse(readModels, row.sha256)) await firmware.store.remove(row.sha256);
          return c.body(null, 204);
        });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/firmware/{id}/download",
      summary: "Download an image with a signed per-job URL (devices); supports Range",
      tag: "firmware",
      permission: "public",
      query: downloadQuery,
      responses: {
        200: "The image",
        206: "The requested byte range",
        403: "Signature invalid or expired",
        404: "No such image",
        416: "Range not satisfiable",
      },
      async handle({ c, params, query }) {
        const firmwareId = params.id!;
        // The signature first: an unsigned caller learns nothing, not even whether the image exists.
        const verdict = await firmware.signer.verify({ firmwareId, ...query }, ctx.now());
        if (verdict !== "ok") {
          throw new ForbiddenError(
            verdict === "expired" ? "This download link has expired" : "This download link is not valid",
          );
        }
        const row = await getFirmware(readModels, firmwareId);
        if (!row) throw new NotFoundError(`Firmware "${firmwareId}" does not exist`);
        const etag = `"${row.sha256}"`;
        const headers = new Headers({
          "accept-ranges": "bytes",
          etag,
          "cache-control": "private, no-transform",
          "content-type": "application/octet-stream",
        });
        const answer = answerRange(c.req.header("range"), row.size, {
          etag,
          ...(c.req.header("if-range") === undefined ? {} : { ifRange: c.req.header("if-range")! }),
        });
        if (answer.kind === "unsatisfiable") {
          headers.set("content-range", `bytes */${row.size}`);
          headers.set("content-type", "application/json");
          const message = `The image has ${row.size} bytes: the range is outside it`;
          return new Response(JSON.stringify({ error: { code: "range_not_satisfiable", message } }), {
            status: 416,
            headers,
          });
        }
        const span = answer.kind === "partial" ? { start: answer.start, end: answer.end } : undefined;
        headers.set("content-length", String(span ? span.end - span.start + 1 : row.size));
        if (span) headers.set("content-range", `bytes ${span.start}-${span.end}/${row.size}`);
        const status = span ? 206 : 200;
        // HEAD is routed here as GET: answer the headers without opening the file.
        if (c.req.raw.method === "HEAD") return new Response(null, { status, headers });
        const stream = await firmware.store.open(row.sha256, span);
        if (!stream) throw new NotFoundError(`Firmware "${firmwareId}" has no image in the store`);
        return new Response(stream, { status, headers });
      },
    }),
  ];
}
