/**
 * What a webhook carries: the Standard Webhooks body `{"type", "timestamp", "data"}` with the
 * event envelope as `data`, seen through `redactForClients` like every other view of events given
 * to clients, and the event types an endpoint may subscribe to (every catalog type except the
 * dead-letter family, whose raw device bytes stay inside).
 */
import { eventCatalog, type EventType } from "../events/catalog.ts";
import type { EventEnvelope } from "../events/envelope.ts";
import { redactForClients } from "../events/redaction.ts";
import { topicFamilies, type TopicFamily } from "../events/topic_families.ts";
import type { TopicNames } from "../events/topics.ts";

/** Families whose events webhooks may carry. */
export const webhookFamilies: readonly TopicFamily[] = topicFamilies.filter((family) => family !== "dlq");

/** Event types an endpoint may subscribe to, in catalog order. */
export const webhookEventTypes: readonly EventType[] = (Object.keys(eventCatalog) as EventType[])
  .filter((type) => webhookFamilies.includes(eventCatalog[type].family));

/** The topics whose events may be delivered. */
export function webhookTopics(topics: TopicNames): string[] {
  return webhookFamilies.map((family) => topics[family]);
}

/**
 * The JSON body delivered for `event` (its `timestamp` is the event time), or undefined for an
 * event type this build does not know (its secret fields are unknown, so it is withheld).
 * Serialized once, at enqueue: every attempt sends and signs the same bytes.
 */
export function webhookBody(event: EventEnvelope): string | undefined {
  const redacted = redactForClients(event);
  if (redacted === undefined) return undefined;
  return JSON.stringify({ type: redacted.type, timestamp: redacted.time, data: redacted });
}
