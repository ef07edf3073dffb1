/**
 * Alerts (design §9): listed from the alerts read model, newest first, with filters and a cursor;
 * `ack` and `clear` append `alert.acknowledged` / `alert.cleared` (reason `manual`), which the
 * rules processor reads too: after a manual clear the rule re-arms only once the device is normal.
 */
import { z } from "zod";
import { createEvent } from "../../core/events/catalog.ts";
import { ConflictError, NotFoundError } from "../../core/errors.ts";
import { type AlertRow, getAlert, listAlerts } from "../../core/readmodels/mod.ts";
import type { ApiContext } from "./api_context.ts";
import { route } from "./define.ts";
import { entityId, limitParam } from "./schemas.ts";
import { definedOnly } from "./validation.ts";

const listQuery = z.object({
  status: z.enum(["open", "acknowledged", "cleared"]).optional(),
  severity: z.enum(["info", "warning", "critical"]).optional(),
  device: entityId.optional(),
  rule: entityId.optional(),
  cursor: z.string().max(1024).optional(),
  limit: limitParam,
});

export function alertRoutes(ctx: ApiContext) {
  const { readModels, topics } = ctx.deps;

  async function existing(id: string): Promise<AlertRow> {
    const alert = await getAlert(readModels, id);
    if (!alert) throw new NotFoundError(`Alert "${id}" does not exist`);
    return alert;
  }

  return [
    route({
      method: "get",
      path: "/api/v1/alerts",
      summary: "Alerts, newest first; filter by status, severity, device and rule",
      tag: "alerts",
      permission: "read",
      query: listQuery,
      responses: { 200: "Alerts", 400: "Invalid query" },
      async handle({ c, query }) {
        const { device, rule, ...rest } = definedOnly(query);
        const page = await listAlerts(readModels, {
          ...rest,
          ...(device ? { deviceId: device } : {}),
          ...(rule ? { ruleId: rule } : {}),
        });
        return c.json(page.next ? page : { items: page.items });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/alerts/{id}",
      summary: "One alert",
      tag: "alerts",
      permission: "read",
      responses: { 200: "The alert", 404: "No such alert" },
      async handle({ c, params }) {
        return c.json(await existing(params.id!));
      },
    }),
    route({
      method: "post",
      path: "/api/v1/alerts/{id}/ack",
      summary: "Acknowledge an alert: someone is on it; it stays open until cleared",
      tag: "alerts",
      permission: "operate",
      responses: { 200: "Acknowledged", 404: "No such alert", 409: "Already cleared" },
      async handle({ c, params, principal }) {
        const alert = await existing(params.id!);
        if (alert.status === "cleared") throw new ConflictError(`Alert "${alert.id}" is cleared`);
        if (alert.status === "open") {
          await ctx.append(topics.alert, [createEvent("alert.acknowledged", {
            alertId: alert.id,
            ruleId: alert.ruleId,
            deviceId: alert.deviceId,
            by: principal!.actor,
          }, { key: alert.deviceId, source: "api", now: ctx.now })]);
        }
        return c.json(await existing(alert.id));
      },
    }),
    route({
      method: "post",
      path: "/api/v1/alerts/{id}/clear",
      summary: "Clear an alert by hand; its rule re-arms once the device is back to normal",
      tag: "alerts",
      permission: "operate",
      responses: { 200: "Cleared", 404: "No such alert", 409: "Already cleared" },
      async handle({ c, params, principal }) {
        const alert = await existing(params.id!);
        if (alert.status === "cleared") throw new ConflictError(`Alert "${alert.id}" is already cleared`);
        await ctx.append(topics.alert, [createEvent("alert.cleared", {
          alertId: alert.id,
          ruleId: alert.ruleId,
          deviceId: alert.deviceId,
          clearedAt: ctx.now(),
          reason: "manual",
          by: principal!.actor,
        }, { key: alert.deviceId, source: "api", now: ctx.now })]);
        return c.json(await existing(alert.id));
      },
    }),
  ];
}
