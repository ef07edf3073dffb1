/**
 * `POST /rules/backtest` (design §9): what a rule — saved (`ruleId`) or not yet (`rule`) — would
 * have done over [from, to). The recorded telemetry (device events, for an event rule) goes
 * through the same `backtest` code the live processor's `evaluate` is, with every side effect off.
 *
 * The log is read by append time from `from - lateness` (a reading may arrive late, design §11)
 * to `to + lateness`; each point counts by its own time. Asked with `Accept: application/x-ndjson`
 * it streams progress lines `{"progress": {"scanned", "evaluated", "percent"}}` while it reads and
 * ends with `{"result": …}` (or `{"error": …}`), so a long range shows a progress bar.
 */
import { z } from "zod";
import type { DomainEvent } from "../../core/events/catalog.ts";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import { getRule, listDevices, type RuleRow } from "../../core/readmodels/mod.ts";
import { backtest, type BacktestResult, type Labels, type Rule } from "../../core/rules/mod.ts";
import type { ApiContext } from "./api_context.ts";
import { route } from "./define.ts";
import { ruleBody } from "./rules.ts";
import { checkRuleTargets } from "./rule_targets.ts";
import { entityId, instantValue } from "./schemas.ts";

const DAY_MS = 86_400_000;
const MAX_RANGE_MS = 366 * DAY_MS;
const PROGRESS_EVERY_MS = 250;

const backtestBody = z.strictObject({
  rule: z.union([entityId, ruleBody], { error: "expected a rule id or a rule body" }),
  from: instantValue,
  to: instantValue,
  devices: z.array(entityId).min(1).max(1000).optional(),
}).superRefine((b, issue) => {
  if (b.from >= b.to) issue.addIssue({ code: "custom", path: ["from"], message: "from must be before to" });
  else if (b.to - b.from > MAX_RANGE_MS) {
    issue.addIssue({ code: "custom", path: ["to"], message: "at most 366 days from from" });
  }
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function resultView(result: BacktestResult) {
  return {
    transitions: result.transitions.map((t) => ({
      ...t,
      raisedAt: iso(t.raisedAt),
      clearedAt: iso(t.clearedAt),
    })),
    ...(result.truncated ? { truncated: true } : {}),
    stats: result.stats,
  };
}

const ruleOfRow = (row: RuleRow): Rule => ({
  ruleId: row.id,
  version: row.version,
  name: row.name,
  enabled: row.enabled,
  severity: row.severity,
  condition: row.condition as Rule["condition"],
  ...(row.scope ? { scope: row.scope as Rule["scope"] } : {}),
  ...(row.clear ? { clear: row.clear as Rule["clear"] } : {}),
});

export function ruleBacktestRoutes(ctx: ApiContext) {
  const { readModels, topics } = ctx.deps;
  const readLog = ctx.deps.readLog;
  if (!readLog) return [];
  const latenessMs = ctx.deps.latenessMs ?? DAY_MS;

  /** Registry labels of every device a label scope may cover (only what the scope's first label selects). */
  async function labelsFor(rule: Rule): Promise<Map<string, Labels>> {
    const labels = new Map<string, Labels>();
    const first = Object.entries(rule.scope?.labels ?? {})[0];
    if (!first) return labels;
    let cursor: string | undefined;
    do {
      const page = await listDevices(readModels, {
        label: { key: first[0], value: first[1] },
        limit: 500,
        ...(cursor ? { cursor } : {}),
      });
      for (const d of page.items) labels.set(d.id, d.labels ?? {});
      cursor = page.next;
    } while (cursor);
    return labels;
  }

  return [route({
    method: "post",
    path: "/api/v1/rules/backtest",
    summary:
      "What a rule would have done over [from, to): its alerts, replayed from the log with no side effects",
    tag: "rules",
    permission: "read",
    body: backtestBody,
    responses: {
      200: "Transitions and stats (NDJSON progress with Accept: application/x-ndjson)",
      400: "Invalid body",
      404: "No such rule",
    },
    async handle({ c, body }) {
      let rule: Rule;
      if (typeof body.rule === "string") {
        const row = await getRule(readModels, body.rule);
        if (!row) throw new NotFoundError(`Rule "${body.rule}" does not exist`);
        rule = ruleOfRow(row);
      } else {
        await checkRuleTargets(readModels, body.rule, "rule.");
        rule = { ...body.rule, ruleId: "backtest", version: 0 };
      }
      if (
        body.devices && rule.scope?.devices && !body.devices.some((d) => rule.scope!.devices!.includes(d))
      ) {
        throw new ValidationError("Invalid body: devices: none of them is in the rule's scope", {
          details: [{ path: "devices", message: "none of them is in the rule's scope" }],
        });
      }
      const labels = await labelsFor(rule);
      const topic = rule.condition.kind === "event" ? topics.device : topics.telemetry;
      const scanFrom = Math.max(0, body.from - latenessMs);
      const scanTo = Math.min(body.to + latenessMs, ctx.now() + 1);
      const signal = c.req.raw.signal;
      let appendedAt = scanFrom;
      async function* chunks(): AsyncIterable<readonly DomainEvent[]> {
        for await (const chunk of readLog!(topic, { fromMs: scanFrom, toMs: scanTo, signal })) {
          const last = chunk[chunk.length - 1];
          if (last) appendedAt = Math.max(appendedAt, Date.parse(last.ingestedAt));
          yield chunk;
        }
      }
      const run = (onProgress?: (p: { scanned: number; evaluated: number }) => void) =>
        backtest(rule, chunks(), {
          from: body.from,
          to: body.to,
          ...(body.devices ? { devices: body.devices } : {}),
          labelsOf: (id) => labels.get(id),
          signal,
          ...(onProgress ? { onProgress } : {}),
        });

      if (!(c.req.header("accept") ?? "").includes("application/x-ndjson")) {
        return c.json(resultView(await run()));
      }

      const encoder = new TextEncoder();
      const line = (value: unknown) => encoder.encode(JSON.stringify(value) + "\n");
      const percent = () =>
        Math.min(99, Math.max(0, Math.round(((appendedAt - scanFrom) / (scanTo - scanFrom)) * 100)));
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          let lastSent = 0;
          try {
            const result = await run((p) => {
              const at = performance.now();
              if (at - lastSent < PROGRESS_EVERY_MS) return;
              lastSent = at;
              controller.enqueue(line({ progress: { ...p, percent: percent() } }));
            });
            controller.enqueue(line({ result: resultView(result) }));
          } catch (error) {
            if (!signal.aborted) {
              controller.enqueue(
                line({ error: { code: "backtest_failed", message: (error as Error).message } }),
              );
            }
          }
          controller.close();
        },
      });
      return new Response(stream, {
        headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" },
      });
    },
  })];
}
