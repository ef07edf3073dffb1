/**
 * Commands to devices: `POST …/commands` appends `command.requested` (expiring after
 * `timeoutSeconds`); the commands processor dispatches it and records the outcome. Reading a
 * command or a device's recent commands comes from the read models.
 */
import { z } from "zod";
import { createEvent } from "../../core/events/catalog.ts";
import { ConflictError, NotFoundError } from "../../core/errors.ts";
import type { ApiContext } from "./api_context.ts";
import { route } from "./define.ts";
import { jsonObject } from "./schemas.ts";
import { definedOnly } from "./validation.ts";
import { getCommand, getDevice, listCommands } from "../../core/readmodels/mod.ts";

const newCommand = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, "expected 1-128 characters of A-Z a-z 0-9 _ . : -"),
  params: jsonObject.optional(),
  timeoutSeconds: z.int().min(1).max(86_400).default(60),
});

const listQuery = z.object({
  status: z.enum(["requested", "dispatched", "acked", "failed", "expired"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export function commandRoutes(ctx: ApiContext) {
  const { readModels } = ctx.deps;
  return [
    route({
      method: "post",
      path: "/api/v1/devices/{id}/commands",
      summary: "Ask the device to run a command before timeoutSeconds (default 60) pass",
      tag: "commands",
      permission: "operate",
      body: newCommand,
      responses: { 202: "Requested", 400: "Invalid body", 404: "No such device", 409: "Decommissioned" },
      async handle({ c, params, body, principal }) {
        const device = await getDevice(readModels, params.id!);
        if (!device) throw new NotFoundError(`Device "${params.id}" does not exist`);
        if (device.status === "decommissioned") {
          throw new ConflictError(`Device "${device.id}" is decommissioned`);
        }
        const commandId = ctx.newId();
        const expiresAt = new Date(ctx.now() + body.timeoutSeconds * 1000).toISOString();
        const event = createEvent("command.requested", {
          commandId,
          name: body.name,
          ...(body.params === undefined ? {} : { params: body.params }),
          expiresAt,
          requestedBy: principal!.actor,
        }, { key: device.id, source: "api", now: ctx.now });
        await ctx.append(ctx.deps.topics.command, [event]);
        c.header("Location", `/api/v1/commands/${commandId}`);
        return c.json({ commandId, status: "requested", expiresAt }, 202);
      },
    }),
    route({
      method: "get",
      path: "/api/v1/devices/{id}/commands",
      summary: "The device's commands, newest first",
      tag: "commands",
      permission: "read",
      query: listQuery,
      responses: { 200: "Commands", 400: "Invalid query", 404: "No such device" },
      async handle({ c, params, query }) {
        if (!await getDevice(readModels, params.id!)) {
          throw new NotFoundError(`Device "${params.id}" does not exist`);
        }
        const items = await listCommands(readModels, { deviceId: params.id!, ...definedOnly(query) });
        return c.json({ items });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/commands/{id}",
      summary: "One command and where it is in its lifecycle",
      tag: "commands",
      permission: "read",
      responses: { 200: "The command", 404: "No such command" },
      async handle({ c, params }) {
        const command = await getCommand(readModels, params.id!);
        if (!command) throw new NotFoundError(`Command "${params.id}" does not exist`);
        return c.json(command);
      },
    }),
  ];
}
