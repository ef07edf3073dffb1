/**
 * Consumer-side trace context per the OpenTelemetry messaging conventions: a span that processes
 * messages links to each message's creation context (the `traceparent` each event carries), and a
 * span for one message, or for messages of one trace, is also that context's child, so a reading
 * stays one trace from the gateway through every projector to the SSE delivery.
 */
import type { Link, SpanContext } from "@opentelemetry/api";
import { parseTraceparent } from "./traceparent.ts";

/** How many links one batch span keeps: a batch of a thousand events is not a thousand links. */
export const MAX_BATCH_LINKS = 32;

export interface BatchTraceContext {
  /** The creation context to continue, when every message has one and all are of one trace. */
  parent?: SpanContext;
  /** Distinct sampled creation contexts (unsampled ones would point at spans that do not exist). */
  links: Link[];
}

/** Parent and links of a span processing messages with these `traceparent`s (undefined: none). */
export function batchTraceContext(
  traceparents: Iterable<string | undefined>,
  maxLinks = MAX_BATCH_LINKS,
): BatchTraceContext {
  const links: Link[] = [];
  const seen = new Set<string>();
  let first: SpanContext | undefined;
  let oneTrace = true;
  let count = 0;
  for (const traceparent of traceparents) {
    count++;
    const context = parseTraceparent(traceparent);
    if (!context) {
      oneTrace = false;
      continue;
    }
    if (!first) first = context;
    else if (context.traceId !== first.traceId) oneTrace = false;
    const key = `${context.traceId}-${context.spanId}`;
    if (context.traceFlags & 1 && links.length < maxLinks && !seen.has(key)) {
      seen.add(key);
      links.push({ context });
    }
  }
  return count > 0 && oneTrace && first ? { parent: first, links } : { links };
}
