/**
 * `WebhookStore` on SQL, for SQLite and PostgreSQL over the same `SqlDriver` as the user store: it
 * lives in the user database (configuration and delivery state, not a read model: a rebuild
 * leaves it alone), with its own migration range, 4001+ (see `user_migrations.ts` for the ranges). Statements are parameterised; types are
 * stored as JSON text, booleans as 0/1, attempt times as epoch ms (BIGINT).
 */
import { ConflictError } from "../../core/errors.ts";
import { decodeCursor, pageLimit, toPage } from "../../core/readmodels/mod.ts";
import type { DeliveryStatus } from "../../core/webhooks/retry_schedule.ts";
import type { WebhookDelivery, WebhookEndpoint, WebhookStore } from "../../core/webhooks/store.ts";
import { type Migration, runMigrations } from "../readmodels/schema_migrations.ts";
import type { SqlDriver, SqlRecord, SqlTx } from "../readmodels/sql_driver.ts";

export const webhookMigrations: readonly Migration[] = [
  {
    version: 4001,
    description: "webhook endpoints and deliveries (the notify processor's outbox)",
    statements: [
      `CREATE TABLE webhook_endpoints (
        id {key} PRIMARY KEY, url TEXT NOT NULL, types TEXT NOT NULL, description TEXT,
        secret TEXT NOT NULL, enabled INTEGER NOT NULL, disabled_reason TEXT, created_at TEXT NOT NULL)`,
      `CREATE TABLE webhook_deliveries (
        id {key} PRIMARY KEY, endpoint_id {key} NOT NULL, event_id {key} NOT NULL, type TEXT NOT NULL,
        body TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, last_status INTEGER,
        last_error TEXT, next_attempt_at BIGINT, created_at TEXT NOT NULL)`,
      `CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (endpoint_id, event_id)`,
      `CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id)`,
      `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint_id, next_attempt_at, id)
        WHERE status = 'pending'`,
      `CREATE TABLE webhook_endpoints_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL)`,
      `INSERT INTO webhook_endpoints_version (id, version) VALUES (1, 0)`,
    ],
  },
];

/** The target columns' types, spelled out: PostgreSQL cannot infer them for INSERT … SELECT. */
const ENQUEUE = `INSERT INTO webhook_deliveries
    (id, endpoint_id, event_id, type, body, status, attempts, next_attempt_at, created_at)
  SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), 'pending', 0,
    CAST(? AS BIGINT), CAST(? AS TEXT)
  WHERE EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = ?)
  ON CONFLICT DO NOTHING
  RETURNING id`;

const BUMP_VERSION = "UPDATE webhook_endpoints_version SET version = version + 1 WHERE id = 1";

/** SQLite's `SQLITE_CONSTRAINT_*` (extended code 19 in the low byte) and PostgreSQL's 23505. */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown };
  return e?.code === "23505" || (typeof e?.errcode === "number" && (e.errcode & 0xff) === 19);
}

const text = (value: unknown) => String(value);
const present = (value: unknown) => value !== null && value !== undefined;

function toEndpoint(row: SqlRecord): WebhookEndpoint {
  return {
    id: text(row.id),
    url: text(row.url),
    types: JSON.parse(text(row.types)) as string[],
    ...(present(row.description) ? { description: text(row.description) } : {}),
    secret: text(row.secret),
    enabled: Number(row.enabled) === 1,
    ...(present(row.disabled_reason) ? { disabledReason: text(row.disabled_reason) } : {}),
    createdAt: text(row.created_at),
  };
}

function toDelivery(row: SqlRecord): WebhookDelivery {
  return {
    id: text(row.id),
    endpointId: text(row.endpoint_id),
    eventId: text(row.event_id),
    type: text(row.type),
    body: text(row.body),
    status: text(row.status) as DeliveryStatus,
    attempts: Number(row.attempts),
    ...(present(row.last_status) ? { lastStatus: Number(row.last_status) } : {}),
    ...(present(row.last_error) ? { lastError: text(row.last_error) } : {}),
    ...(present(row.next_attempt_at) ? { nextAttemptAt: Number(row.next_attempt_at) } : {}),
    createdAt: text(row.created_at),
  };
}

/** A webhook store over `driver`. Call `migrate()` once before use; `close()` closes the driver. */
export function createSqlWebhookStore(driver: SqlDriver): WebhookStore {
  const bump = (tx: SqlTx) => tx.query(BUMP_VERSION);
  return {
    async migrate() {
      await runMigrations(driver, { migrations: webhookMigrations });
    },
    async createEndpoint(e) {
      try {
        await driver.transaction(async (tx) => {
          await tx.query(
            `INSERT INTO webhook_endpoints (id, url, types, description, secret, enabled, disabled_reason, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
            [
              e.id,
              e.url,
              JSON.stringify(e.types),
              e.description ?? null,
              e.secret,
              e.enabled ? 1 : 0,
              e.disabledReason ?? null,
              e.createdAt,
            ],
          );
          await bump(tx);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`Webhook "${e.id}" already exists`);
        throw error;
      }
    },
    async getEndpoint(id) {
      const [row] = await driver.query("SELECT * FROM webhook_endpoints WHERE id = ?", [id]);
      return row ? toEndpoint(row) : undefined;
    },
    async listEndpoints() {
      return (await driver.query("SELECT * FROM webhook_endpoints ORDER BY created_at, id")).map(toEndpoint);
    },
    deleteEndpoint(id) {
      return driver.transaction(async (tx) => {
        await tx.query("DELETE FROM webhook_deliveries WHERE endpoint_id = ?", [id]);
        const gone = await tx.query("DELETE FROM webhook_endpoints WHERE id = ? RETURNING id", [id]);
        if (gone.length > 0) await bump(tx);
        return gone.length > 0;
      });
    },
    async disableEndpoint(id, reason) {
      await driver.transaction(async (tx) => {
        await tx.query("UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ? WHERE id = ?", [
          reason,
          id,
        ]);
        await tx.query(
          `UPDATE webhook_deliveries SET status = 'failed', last_error = ?, next_attempt_at = NULL
           WHERE endpoint_id = ? AND status = 'pending'`,
          [reason, id],
        );
        await bump(tx);
      });
    },
    async endpointsVersion() {
      const [row] = await driver.query("SELECT version FROM webhook_endpoints_version WHERE id = 1");
      return Number(row?.version ?? 0);
    },
    async enqueue(deliveries) {
      if (deliveries.length === 0) return 0;
      return await driver.transaction(async (tx) => {
        let added = 0;
        for (const d of deliveries) {
          const rows = await tx.query(ENQUEUE, [
            d.id,
            d.endpointId,
            d.eventId,
            d.type,
            d.body,
            d.nextAttemptAt,
            d.createdAt,
            d.endpointId,
          ]);
          added += rows.length;
        }
        return added;
      });
    },
    async due(endpointId, now, limit) {
      const rows = await driver.query(
        `SELECT d.* FROM webhook_deliveries d
         WHERE d.endpoint_id = ? AND d.status = 'pending' AND d.next_attempt_at <= ?
           AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.enabled = 1)
         ORDER BY d.next_attempt_at, d.id LIMIT ?`,
        [endpointId, now, limit],
      );
      return rows.map(toDelivery);
    },
    async claim(id, due, leaseUntil) {
      const rows = await driver.query(
        `UPDATE webhook_deliveries SET next_attempt_at = ?
         WHERE id = ? AND status = 'pending' AND next_attempt_at = ? RETURNING id`,
        [leaseUntil, id, due],
      );
      return rows.length === 1;
    },
    async recordAttempt(id, r) {
      await driver.query(
        `UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?, next_attempt_at = ?
         WHERE id = ?`,
        [r.status, r.attempts, r.lastStatus ?? null, r.lastError ?? null, r.nextAttemptAt ?? null, id],
      );
    },
    async listDeliveries(endpointId, options = {}) {
      const limit = pageLimit(options.limit);
      const rows = options.cursor === undefined
        ? await driver.query(
          "SELECT * FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY id DESC LIMIT ?",
          [endpointId, limit + 1],
        )
        : await driver.query(
          "SELECT * FROM webhook_deliveries WHERE endpoint_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
          [endpointId, decodeCursor(options.cursor), limit + 1],
        );
      return toPage(rows.map(toDelivery), limit, (d) => d.id);
    },
    close: () => driver.close(),
  };
}
