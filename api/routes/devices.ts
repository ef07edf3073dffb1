/**
 * The device registry: register (the token is answered once), list with a label filter and
 * cursor, read, update, decommission and rotate the token. Writes go through the registry
 * operations of `core/devices`, which append events; reads come from the read models.
 */
import { z } from "zod";
import {
  decommissionDevice,
  registerDevice,
  rotateDeviceToken,
  updateDevice,
} from "../../core/devices/registry.ts";
import { NotFoundError } from "../../core/errors.ts";
import type { ApiContext } from "./api_context.ts";
import { route } from "./define.ts";
import { cursorParam, entityId, labelFilterParam, labels, limitParam, plainText } from "./schemas.ts";
import { definedOnly } from "./validation.ts";
import { type DeviceRow, getDevice, listDevices } from "../../core/readmodels/mod.ts";

const profile = {
  name: plainText({ min: 1, max: 256 }).optional(),
  model: plainText({ min: 1, max: 128 }).optional(),
  labels: labels.optional(),
};

const newDevice = z.strictObject({ id: entityId.optional(), ...profile });

const deviceChanges = z.strictObject(profile).refine(
  (body) => body.name !== undefined || body.model !== undefined || body.labels !== undefined,
  { error: "expected at least one of name, model, labels" },
);

const listQuery = z.object({
  label: labelFilterParam,
  cursor: cursorParam,
  limit: limitParam,
});

/** A device as the API shows it: never its credential hash. */
export function deviceView(row: DeviceRow) {
  const { credential: _credential, ...view } = row;
  return view;
}

export function deviceRoutes(ctx: ApiContext) {
  const { readModels } = ctx.deps;
  const found = async (id: string) => {
    const row = await getDevice(readModels, id);
    if (!row) throw new NotFoundError(`Device "${id}" does not exist`);
    return deviceView(row);
  };
  return [
    route({
      method: "post",
      path: "/api/v1/devices",
      summary: "Register a device; its token is answered once",
      tag: "devices",
      permission: "operate",
      body: newDevice,
      responses: {
        201: "Registered",
        400: "Invalid body",
        409: "The id exists",
        503: "External broker mode: the MQTT broker could not create the account; nothing was registered",
      },
      async handle({ c, body, principal }) {
        const { id, token } = await registerDevice(ctx.registry, definedOnly(body), principal!.actor);
        const row = await getDevice(readModels, id);
        // The projection may lag past the wait: answer from the request then.
        const view = row ? deviceView(row) : { id, labels: body.labels ?? {}, status: "active", ...body };
        c.header("Location", `/api/v1/devices/${encodeURIComponent(id)}`);
        return c.json({ ...view, token }, 201);
      },
    }),
    route({
      method: "get",
      path: "/api/v1/devices",
      summary: "List devices by id, optionally with a label",
      tag: "devices",
      permission: "read",
      query: listQuery,
      responses: { 200: "One page; `next` continues", 400: "Invalid query" },
      async handle({ c, query }) {
        const page = await listDevices(readModels, definedOnly(query));
        return c.json({ items: page.items.map(deviceView), ...(page.next ? { next: page.next } : {}) });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/devices/{id}",
      summary: "One device",
      tag: "devices",
      permission: "read",
      responses: { 200: "The device", 404: "No such device" },
      handle: async ({ c, params }) => c.json(await found(params.id!)),
    }),
    route({
      method: "patch",
      path: "/api/v1/devices/{id}",
      summary: "Change name, model or labels (labels replace the stored ones)",
      tag: "devices",
      permission: "operate",
      body: deviceChanges,
      responses: { 200: "The device", 400: "Invalid body", 404: "No such device", 409: "Decommissioned" },
      async handle({ c, params, body, principal }) {
        await updateDevice(ctx.registry, params.id!, definedOnly(body), principal!.actor);
        return c.json(await found(params.id!));
      },
    }),
    route({
      method: "delete",
      path: "/api/v1/devices/{id}",
      summary: "Decommission: the device may no longer connect; its history stays",
      tag: "devices",
      permission: "operate",
      responses: {
        200: "The decommissioned device",
        404: "No such device",
        409: "Already decommissioned",
        503: "External broker mode: the MQTT broker could not disable the account; retry",
      },
      async handle({ c, params, principal }) {
        await decommissionDevice(ctx.registry, params.id!, principal!.actor);
        return c.json(await found(params.id!));
      },
    }),
    route({
      method: "post",
      path: "/api/v1/devices/{id}/token",
      summary: "Rotate the device token; the new one is answered once",
      tag: "devices",
      permission: "operate",
      responses: {
        200: "The new token",
        404: "No such device",
        409: "Decommissioned",
        503: "External broker mode: the MQTT broker could not take the new token; retry",
      },
      async handle({ c, params, principal }) {
        const { token } = await rotateDeviceToken(ctx.registry, params.id!, principal!.actor);
        return c.json({ id: params.id!, token });
      },
    }),
  ];
}
