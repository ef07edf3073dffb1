/**
 * Schema of the SQL `UserStore`: users, bearer tokens (sessions and API tokens, by hash) and the
 * audit log. Applied by `runMigrations` (schema_migrations.ts) and recorded in the same `schema_migrations`
 * table as the read models, so its versions live in their own range (1001+) that read-model
 * migrations never reach. These tables are not read models: `clear()` and rebuilds leave them alone.
 * Other stores in this database keep ranges of their own: 2001+ device id claims, 3001+ processor
 * state, 4001+ webhooks (`infra/webhooks/sql_webhook_store.ts`).
 */
import type { Migration } from "./schema_migrations.ts";

export const userMigrations: readonly Migration[] = [
  {
    version: 1001,
    description: "users, auth tokens (sessions and API tokens by hash), audit log",
    statements: [
      `CREATE TABLE users (
        username {key} PRIMARY KEY, role TEXT NOT NULL, password_algorithm TEXT NOT NULL,
        password_hash TEXT NOT NULL, created_at TEXT NOT NULL)`,
      `CREATE TABLE auth_tokens (
        hash {key} PRIMARY KEY, kind TEXT NOT NULL, name {key}, username {key}, role TEXT,
        created_at TEXT NOT NULL, created_by TEXT, expires_at TEXT)`,
      `CREATE UNIQUE INDEX auth_tokens_api_name ON auth_tokens (name) WHERE kind = 'api'`,
      `CREATE INDEX auth_tokens_by_user ON auth_tokens (username)`,
      `CREATE INDEX auth_tokens_by_expiry ON auth_tokens (expires_at)`,
      `CREATE TABLE audit_log (
        id {key} PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        target TEXT NOT NULL, status INTEGER NOT NULL)`,
    ],
  },
];
