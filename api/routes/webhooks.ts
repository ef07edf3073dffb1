/**
 * Webhook endpoints (design §9, admin only): `POST /webhooks` registers an http(s) URL for some
 * event types and answers its signing secret once (`whsec_…`; stored sealed, never shown again);
 * `GET /webhooks` lists endpoints without secrets; `DELETE /webhooks/{id}` removes one with its
 * deliveries; `GET /webhooks/{id}/deliveries` is its delivery log, newest first. URLs that are
 * not http(s), or whose host is or resolves to a private address (unless allowed), are a 400
 * naming `url`.
 */
import { z } from "zod";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import { webhookEventTypes } from "../../core/webhooks/payload.ts";
import { generateWebhookSecret } from "../../core/webhooks/signing.ts";
import type { WebhookDelivery, WebhookEndpoint } from "../../core/webhooks/store.ts";
import type { WebhookApiDeps } from "../deps.ts";
import type { ApiContext } from "./api_context.ts";
import { route } from "./define.ts";
import { cursorParam, limitParam, plainText } from "./schemas.ts";
import { definedOnly } from "./validation.ts";

const newWebhook = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).max(2048),
  types: z.array(z.enum(webhookEventTypes as [string, ...string[]], { error: "expected a known event type" }))
    .min(1, "expected at least one event type").max(webhookEventTypes.length),
  description: plainText({ max: 256 }).optional(),
});

const deliveriesQuery = z.object({ cursor: cursorParam, limit: limitParam });

/** An endpoint as the API shows it: never its secret. */
function endpointView(e: WebhookEndpoint) {
  return {
    id: e.id,
    url: e.url,
    types: e.types,
    ...(e.description === undefined ? {} : { description: e.description }),
    enabled: e.enabled,
    ...(e.disabledReason === undefined ? {} : { disabledReason: e.disabledReason }),
    createdAt: e.createdAt,
  };
}

function deliveryView(d: WebhookDelivery) {
  return {
    id: d.id,
    eventId: d.eventId,
    type: d.type,
    status: d.status,
    attempts: d.attempts,
    ...(d.lastStatus === undefined ? {} : { lastStatus: d.lastStatus }),
    ...(d.lastError === undefined ? {} : { lastError: d.lastError }),
    ...(d.nextAttemptAt === undefined ? {} : { nextAttemptAt: new Date(d.nextAttemptAt).toISOString() }),
    createdAt: d.createdAt,
  };
}

export function webhookRoutes(ctx: ApiContext, webhooks: WebhookApiDeps) {
  const { store } = webhooks;
  const found = async (id: string) => {
    const endpoint = await store.getEndpoint(id);
    if (!endpoint) throw new NotFoundError(`Webhook "${id}" does not exist`);
    return endpoint;
  };
  return [
    route({
      method: "post",
      path: "/api/v1/webhooks",
      summary: "Register a webhook endpoint for event types; its signing secret is shown once",
      tag: "webhooks",
      permission: "manage",
      body: newWebhook,
      responses: {
        201: "Created; the secret (whsec_…) is in the body and nowhere else",
        400: "Invalid body, or a URL that is not http(s) or points into a private network",
      },
      async handle({ c, body }) {
        // Unique types, in catalog order: a subscription is a set.
        const types = webhookEventTypes.filter((type) => body.types.includes(type));
        const refused = await webhooks.checkUrl(body.url);
        if (refused !== undefined) {
          throw new ValidationError(`Invalid request body: url: ${refused}`, {
            details: [{ path: "url", message: refused }],
          });
        }
        const id = ctx.newId();
        const secret = (webhooks.generateSecret ?? generateWebhookSecret)();
        const endpoint: WebhookEndpoint = {
          id,
          url: body.url,
          types,
          ...(body.description === undefined ? {} : { description: body.description }),
          secret: await webhooks.secrets.seal(secret, id),
          enabled: true,
          createdAt: new Date(ctx.now()).toISOString(),
        };
        await store.createEndpoint(endpoint);
        return c.json({ ...endpointView(endpoint), secret }, 201);
      },
    }),
    route({
      method: "get",
      path: "/api/v1/webhooks",
      summary: "List webhook endpoints (never their secrets)",
      tag: "webhooks",
      permission: "manage",
      responses: { 200: "Endpoints, oldest first" },
      async handle({ c }) {
        return c.json({ items: (await store.listEndpoints()).map(endpointView) });
      },
    }),
    route({
      method: "delete",
      path: "/api/v1/webhooks/{id}",
      summary: "Delete a webhook endpoint and its delivery log",
      tag: "webhooks",
      permission: "manage",
      responses: { 204: "Deleted", 404: "No such webhook" },
      async handle({ c, params }) {
        if (!await store.deleteEndpoint(params.id!)) {
          throw new NotFoundError(`Webhook "${params.id}" does not exist`);
        }
        return c.body(null, 204);
      },
    }),
    route({
      method: "get",
      path: "/api/v1/webhooks/{id}/deliveries",
      summary: "The delivery log of a webhook endpoint, newest first",
      tag: "webhooks",
      permission: "manage",
      query: deliveriesQuery,
      responses: { 200: "One page", 400: "Invalid cursor or limit", 404: "No such webhook" },
      async handle({ c, params, query }) {
        await found(params.id!);
        const page = await store.listDeliveries(params.id!, definedOnly(query));
        return c.json({ items: page.items.map(deliveryView), ...(page.next ? { next: page.next } : {}) });
      },
    }),
  ];
}
