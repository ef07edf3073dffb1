/**
 * The `WebhookStore` port: webhook endpoints and their deliveries (the outbox of the `notify`
 * processor). It is configuration and delivery state, not a read model: it lives beside users and
 * audit, and a rebuild of the read models leaves it alone. Implementations: the in-memory fake
 * (core/testing) and SQL on SQLite and PostgreSQL (infra/webhooks); one contract suite
 * (`core/testing/webhook_store_contract.ts`) holds them to the same behaviour.
 */
import type { Page } from "../readmodels/mod.ts";
import type { AttemptRecord, DeliveryStatus } from "./retry_schedule.ts";

export interface WebhookEndpoint {
  id: string;
  url: string;
  /** Event types delivered to it. */
  types: string[];
  description?: string;
  /** The signing secret, sealed by a `SecretBox` (never the plain `whsec_…`). */
  secret: string;
  /** False once disabled (a 410 Gone); a disabled endpoint gets nothing more. */
  enabled: boolean;
  disabledReason?: string;
  /** ISO-8601. Only events ingested from then on are delivered to it. */
  createdAt: string;
}

export interface WebhookDelivery {
  /** UUIDv7 of the delivery (time ordered: listings page by it). */
  id: string;
  endpointId: string;
  /** The event's id: the `webhook-id` header, the same on every attempt. */
  eventId: string;
  type: string;
  /** The JSON body, serialized once (see `webhookBody`). */
  body: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  /** Epoch ms of the next attempt, while pending. */
  nextAttemptAt?: number;
  /** ISO-8601. */
  createdAt: string;
}

/** A delivery to enqueue: pending, no attempts yet, due at `nextAttemptAt`. */
export type NewDelivery =
  & Pick<WebhookDelivery, "id" | "endpointId" | "eventId" | "type" | "body" | "createdAt">
  & {
    nextAttemptAt: number;
  };

export interface WebhookStore {
  /** Creates its tables when missing; idempotent. */
  migrate(): Promise<void>;
  createEndpoint(endpoint: WebhookEndpoint): Promise<void>;
  getEndpoint(id: string): Promise<WebhookEndpoint | undefined>;
  /** Every endpoint, oldest first (endpoints are few: tens, not thousands). */
  listEndpoints(): Promise<WebhookEndpoint[]>;
  /** Deletes the endpoint and its deliveries; false when there was none. */
  deleteEndpoint(id: string): Promise<boolean>;
  /** Disables the endpoint and fails its pending deliveries, with `reason` as their last error. */
  disableEndpoint(id: string, reason: string): Promise<void>;
  /**
   * A number that changes whenever an endpoint is created, deleted or disabled: the `notify`
   * processor re-reads the endpoints when it moved, and only then.
   */
  endpointsVersion(): Promise<number>;
  /**
   * Adds pending deliveries, durably. Idempotent by (endpointId, eventId): a redelivered event
   * adds nothing. Deliveries of an endpoint that no longer exists are dropped. Returns how many
   * were added.
   */
  enqueue(deliveries: readonly NewDelivery[]): Promise<number>;
  /**
   * Up to `limit` pending deliveries of an enabled endpoint whose next attempt is due at `now`,
   * earliest due first (ties by id).
   */
  due(endpointId: string, now: number, limit: number): Promise<WebhookDelivery[]>;
  /**
   * Takes a due delivery for one attempt: moves its next attempt from `due` (as `due()` returned
   * it) to `leaseUntil`, only if it is still pending at `due`. False when another dispatcher (a
   * second `notify` replica) took it first. If this one dies mid-attempt, the delivery is due
   * again when the lease ends: at least once, and no two replicas send it at the same time.
   */
  claim(id: string, due: number, leaseUntil: number): Promise<boolean>;
  /** Records the outcome of an attempt; a delivery that is gone (endpoint deleted) is ignored. */
  recordAttempt(id: string, record: AttemptRecord): Promise<void>;
  /** The endpoint's deliveries, newest first, in keyset pages. */
  listDeliveries(
    endpointId: string,
    options?: { cursor?: string; limit?: number },
  ): Promise<Page<WebhookDelivery>>;
  close(): Promise<void>;
}

/**
 * Seals endpoint secrets for storage (authenticated encryption; infra/webhooks has AES-256-GCM),
 * bound to a context such as the endpoint id, so a sealed secret copied to another row does not open.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): Promise<string>;
  /** Throws when `sealed` was not sealed by this box's key for `context`. */
  open(sealed: string, context: string): Promise<string>;
}
