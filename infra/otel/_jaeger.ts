/**
 * Test kit: the local Jaeger of `infra/local/engines.sh` (AIOT_TEST_OTLP_ENDPOINT in, AIOT_TEST_JAEGER_QUERY_URL
 * out) and reads of its query API. Unreachable fails the test with how to start it: never a skip.
 */
import { eventually } from "../../core/testing/eventually.ts";

export const OTLP_ENDPOINT = Deno.env.get("AIOT_TEST_OTLP_ENDPOINT") ?? "http://127.0.0.1:14318";
export const JAEGER_QUERY_URL = Deno.env.get("AIOT_TEST_JAEGER_QUERY_URL") ?? "http://127.0.0.1:16687";

/** Throws a clear error unless Jaeger's query API answers. */
export async function assertJaegerReachable(): Promise<void> {
  const problem = await fetch(`${JAEGER_QUERY_URL}/api/services`)
    .then(async (r) => (await r.body?.cancel(), r.ok ? undefined : `HTTP ${r.status}`), (e) => String(e));
  if (problem) {
    throw new Error(
      `Jaeger is not reachable at ${JAEGER_QUERY_URL} (${problem}): start it with ` +
        "`bash infra/local/engines.sh start jaeger` and export its `engines.sh env` variables",
    );
  }
}

/** A span as Jaeger's query API (v1 JSON) returns it, with its service name resolved. */
export interface JaegerSpan {
  traceId: string;
  spanId: string;
  operationName: string;
  service: string;
  /** Parent span id (a CHILD_OF reference in the same trace), if any. */
  parentId?: string;
  /**
   * Every span id it refers to in the same trace: its parent and its links. Jaeger turns a
   * parent that is also linked (a process span of one message) into one FOLLOWS_FROM reference.
   */
  references: string[];
  tags: Record<string, unknown>;
}

interface RawTrace {
  traceID: string;
  spans: {
    traceID: string;
    spanID: string;
    operationName: string;
    processID: string;
    references?: { refType: string; traceID: string; spanID: string }[];
    tags?: { key: string; value: unknown }[];
  }[];
  processes: Record<string, { serviceName: string }>;
}

function spansOf(trace: RawTrace): JaegerSpan[] {
  return trace.spans.map((s) => {
    const parent = s.references?.find((r) => r.refType === "CHILD_OF" && r.traceID === s.traceID);
    return {
      traceId: s.traceID,
      spanId: s.spanID,
      operationName: s.operationName,
      service: trace.processes[s.processID]?.serviceName ?? "?",
      ...(parent ? { parentId: parent.spanID } : {}),
      references: (s.references ?? []).filter((r) => r.traceID === s.traceID).map((r) => r.spanID),
      tags: Object.fromEntries((s.tags ?? []).map((t) => [t.key, t.value])),
    };
  });
}

/** The spans of one trace (empty while Jaeger does not know it). */
export async function traceSpans(traceId: string): Promise<JaegerSpan[]> {
  const response = await fetch(`${JAEGER_QUERY_URL}/api/traces/${traceId}`);
  if (response.status === 404) return (await response.body?.cancel(), []);
  if (!response.ok) throw new Error(`Jaeger: GET /api/traces/${traceId}: HTTP ${response.status}`);
  const { data } = await response.json() as { data: RawTrace[] | null };
  return (data ?? []).flatMap(spansOf);
}

/** Trace ids of the traces of `service` (with `operation`, when given) that Jaeger holds. */
export async function traceIdsOf(
  service: string,
  operation?: string,
  base = JAEGER_QUERY_URL,
): Promise<string[]> {
  const query = new URLSearchParams({ service, limit: "100", lookback: "1h" });
  if (operation) query.set("operation", operation);
  const response = await fetch(`${base}/api/traces?${query}`);
  if (!response.ok) throw new Error(`Jaeger: GET /api/traces?${query}: HTTP ${response.status}`);
  const { data } = await response.json() as { data: RawTrace[] | null };
  return (data ?? []).map((t) => t.traceID);
}

/** Waits until the trace holds spans that satisfy every one of `wanted` (name → predicate). */
export function eventuallyTrace(
  traceId: string,
  wanted: Record<string, (span: JaegerSpan) => boolean>,
  timeoutMs = 30_000,
): Promise<JaegerSpan[]> {
  let last: JaegerSpan[] = [];
  return eventually(`trace ${traceId} to hold ${Object.keys(wanted).join(", ")}`, async () => {
    last = await traceSpans(traceId);
    return Object.values(wanted).every((want) => last.some(want)) && last;
  }, { timeoutMs, intervalMs: 250 }).catch((error) => {
    const seen = last.map((s) => `${s.service}: ${s.operationName}`).join("; ");
    throw new Error(`${error.message}; it holds: ${seen || "nothing"}`);
  });
}
