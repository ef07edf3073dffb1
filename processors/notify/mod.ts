/**
 * @module
 * The `notify` processor: webhooks (design §9). It reads every topic whose events webhooks may
 * carry and, for each event whose type an enabled endpoint subscribes to (and that was ingested
 * after the endpoint was created), enqueues a delivery in the `WebhookStore`. The enqueue is
 * durable before the runner commits the batch's offsets, so the store is an outbox: a crash
 * re-reads the batch and the idempotent enqueue adds nothing twice.
 *
 * Sending is not part of the batch: the dispatcher (see `dispatcher.ts`) is woken after each
 * enqueue and on every tick, and sends with one request in flight per endpoint, so a slow or dead
 * receiver never holds up the log or the other receivers.
 */
import type { DomainEvent } from "../../core/events/catalog.ts";
import type { TopicNames } from "../../core/events/topics.ts";
import type { ProcessorDefinition } from "../../core/processing/processor.ts";
import { webhookBody, webhookEventTypes, webhookTopics } from "../../core/webhooks/payload.ts";
import type { WebhookSender } from "../../core/webhooks/sender.ts";
import type { NewDelivery, SecretBox, WebhookEndpoint, WebhookStore } from "../../core/webhooks/store.ts";
import { uuidv7 } from "../../core/events/uuid_v7.ts";
import type { Logger } from "../../core/logging/mod.ts";
import { type AttemptReport, createWebhookDispatcher, type WebhookDispatcher } from "./dispatcher.ts";

export type { AttemptReport, WebhookDispatcher };
export { createWebhookDispatcher };

export interface NotifyDeps {
  store: WebhookStore;
  sender: WebhookSender;
  secrets: SecretBox;
  topics: TopicNames;
  /** Delays between attempts, seconds. Default: `DEFAULT_RETRY_SECONDS` (design §9). */
  retrySeconds?: readonly number[];
  now?: () => number;
  newId?: () => string;
  onAttempt?: (report: AttemptReport) => void;
  /** Failed attempts and stopped dispatcher workers. Default: none. */
  logger?: Logger;
}

export interface NotifyProcessor extends ProcessorDefinition {
  dispatcher: WebhookDispatcher;
  /** Stops the dispatcher (the runner stops the consuming). */
  stop(): Promise<void>;
}

interface Subscriber {
  endpoint: WebhookEndpoint;
  types: ReadonlySet<string>;
  createdMs: number;
}

export function notifyProcessor(deps: NotifyDeps): NotifyProcessor {
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? (() => uuidv7(now()));
  const dispatcher = createWebhookDispatcher({
    store: deps.store,
    sender: deps.sender,
    secrets: deps.secrets,
    now,
    ...(deps.retrySeconds ? { retrySeconds: deps.retrySeconds } : {}),
    ...(deps.onAttempt ? { onAttempt: deps.onAttempt } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  let subscribers: Subscriber[] = [];
  let loadedVersion: number | undefined;

  /**
   * The enabled endpoints, re-read only when the store's endpoints version moved: one small
   * query per batch, and an endpoint created before the batch was read is never missed.
   */
  async function currentSubscribers(): Promise<Subscriber[]> {
    const version = await deps.store.endpointsVersion();
    if (version !== loadedVersion) {
      subscribers = (await deps.store.listEndpoints())
        .filter((endpoint) => endpoint.enabled)
        .map((endpoint) => ({
          endpoint,
          types: new Set(endpoint.types),
          createdMs: Date.parse(endpoint.createdAt),
        }));
      loadedVersion = version;
    }
    return subscribers;
  }

  function deliveriesOf(event: DomainEvent, to: Subscriber[], at: number): NewDelivery[] {
    const ingestedMs = Date.parse(event.ingestedAt);
    const targets = to.filter((s) => s.types.has(event.type) && ingestedMs >= s.createdMs);
    if (targets.length === 0) return [];
    const body = webhookBody(event);
    if (body === undefined) return [];
    const createdAt = new Date(at).toISOString();
    return targets.map(({ endpoint }) => ({
      id: newId(),
      endpointId: endpoint.id,
      eventId: event.id,
      type: event.type,
      body,
      createdAt,
      nextAttemptAt: at,
    }));
  }

  return {
    name: "notify",
    topics: webhookTopics(deps.topics),
    handles: webhookEventTypes,
    // Only types an enabled endpoint subscribes to; the endpoints are re-read here, per batch.
    async relevant() {
      const subscribed = new Set((await currentSubscribers()).flatMap((s) => [...s.types]));
      return (type) => subscribed.has(type);
    },
    dispatcher,
    async handle(events) {
      const to = await currentSubscribers();
      if (to.length === 0) return;
      const at = now();
      const deliveries = events.flatMap((event) => deliveriesOf(event, to, at));
      if (deliveries.length === 0) return;
      await deps.store.enqueue(deliveries);
      dispatcher.wake();
    },
    tick() {
      dispatcher.wake();
    },
    stop: () => dispatcher.stop(),
  };
}
