/**
 * Rules (design §9): `POST/GET/PUT/DELETE /rules` append `rule.defined/changed/deleted` (a rule is
 * configuration, so it is an event) and read the rules read model. Versions count up by one per
 * change; changes of one rule are serialised in this process so two concurrent `PUT`s get
 * versions n+1 and n+2, never two n+1.
 */
import { z } from "zod";
import { createEvent } from "../../core/events/catalog.ts";
import { ConflictError, NotFoundError } from "../../core/errors.ts";
import { getRule, listRules, type RuleRow } from "../../core/readmodels/mod.ts";
import { ruleSettingsSchema } from "../../core/rules/mod.ts";
import type { ApiContext } from "./api_context.ts";
import { route } from "./define.ts";
import { oneAtATimePerKey } from "./one_at_a_time.ts";
import { checkRuleTargets } from "./rule_targets.ts";
import { entityId, limitParam, plainText } from "./schemas.ts";

/** The body of `POST /rules` and `PUT /rules/{id}`: `enabled` defaults to true. */
export const ruleBody = ruleSettingsSchema.extend({
  name: plainText({ min: 1, max: 256 }),
  enabled: z.boolean().default(true),
});

const newRuleBody = ruleBody.extend({ id: entityId.optional() });

/** A rule as the API shows it. */
export function ruleView(row: RuleRow) {
  const { updatedBy: _by, ...rule } = row;
  return rule;
}

export function ruleRoutes(ctx: ApiContext) {
  const { readModels, topics } = ctx.deps;
  const oneAtATime = oneAtATimePerKey();
  const appendRule = (event: Parameters<ApiContext["append"]>[1][number]) =>
    ctx.append(topics.alert, [event]);

  return [
    route({
      method: "post",
      path: "/api/v1/rules",
      summary: "Define a rule: a condition on a metric or device event that raises alerts",
      tag: "rules",
      permission: "operate",
      body: newRuleBody,
      responses: { 201: "Defined", 400: "Invalid rule", 409: "A rule with this id exists" },
      async handle({ c, body, principal }) {
        const { id, ...settings } = body;
        await checkRuleTargets(readModels, settings);
        const ruleId = id ?? ctx.newId();
        return await oneAtATime(ruleId, async () => {
          if (await getRule(readModels, ruleId)) throw new ConflictError(`Rule "${ruleId}" exists`);
          await appendRule(
            createEvent("rule.defined", { ...settings, ruleId, version: 1, by: principal!.actor }, {
              key: ruleId,
              source: "api",
              now: ctx.now,
            }),
          );
          const row = await getRule(readModels, ruleId);
          c.header("Location", `/api/v1/rules/${ruleId}`);
          return c.json(row ? ruleView(row) : { id: ruleId, version: 1, ...settings }, 201);
        });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/rules",
      summary: "Rules by id",
      tag: "rules",
      permission: "read",
      query: z.object({ cursor: z.string().max(1024).optional(), limit: limitParam }),
      responses: { 200: "Rules", 400: "Invalid query" },
      async handle({ c, query }) {
        const page = await listRules(readModels, {
          ...(query.cursor ? { cursor: query.cursor } : {}),
          ...(query.limit ? { limit: query.limit } : {}),
        });
        return c.json({ items: page.items.map(ruleView), ...(page.next ? { next: page.next } : {}) });
      },
    }),
    route({
      method: "get",
      path: "/api/v1/rules/{id}",
      summary: "One rule at its latest version",
      tag: "rules",
      permission: "read",
      responses: { 200: "The rule", 404: "No such rule" },
      async handle({ c, params }) {
        const row = await getRule(readModels, params.id!);
        if (!row) throw new NotFoundError(`Rule "${params.id}" does not exist`);
        return c.json(ruleView(row));
      },
    }),
    route({
      method: "put",
      path: "/api/v1/rules/{id}",
      summary: "Replace a rule: a new version; open alerts stay open and are judged by the new condition",
      tag: "rules",
      permission: "operate",
      body: ruleBody,
      responses: { 200: "The new version", 400: "Invalid rule", 404: "No such rule" },
      async handle({ c, params, body, principal }) {
        await checkRuleTargets(readModels, body);
        const ruleId = params.id!;
        return await oneAtATime(ruleId, async () => {
          const current = await getRule(readModels, ruleId);
          if (!current) throw new NotFoundError(`Rule "${ruleId}" does not exist`);
          const version = current.version + 1;
          await appendRule(createEvent("rule.changed", { ...body, ruleId, version, by: principal!.actor }, {
            key: ruleId,
            source: "api",
            now: ctx.now,
          }));
          const row = await getRule(readModels, ruleId);
          return c.json(row ? ruleView(row) : { id: ruleId, version, ...body });
        });
      },
    }),
    route({
      method: "delete",
      path: "/api/v1/rules/{id}",
      summary: "Delete a rule; its open alerts are cleared",
      tag: "rules",
      permission: "operate",
      responses: { 204: "Deleted", 404: "No such rule" },
      async handle({ c, params, principal }) {
        const ruleId = params.id!;
        return await oneAtATime(ruleId, async () => {
          if (!await getRule(readModels, ruleId)) throw new NotFoundError(`Rule "${ruleId}" does not exist`);
          await appendRule(createEvent("rule.deleted", { ruleId, by: principal!.actor }, {
            key: ruleId,
            source: "api",
            now: ctx.now,
          }));
          return c.body(null, 204);
        });
      },
    }),
  ];
}
