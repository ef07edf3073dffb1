/**
 * `UserStore` on SQL, for SQLite and PostgreSQL over the same `SqlDriver` as the read models (it
 * may share their database; see `user_migrations.ts`). Uniqueness comes from the primary keys and
 * a partial unique index on API token names; constraint violations become `ConflictError`s.
 */
import { ConflictError } from "../../core/errors.ts";
import { isRole, type Role } from "../../core/users/roles.ts";
import type {
  ApiTokenInfo,
  AuditRecord,
  ListAuditOptions,
  TokenRecord,
  UserRecord,
  UserStore,
} from "../../core/users/user_store.ts";
import { runMigrations } from "./schema_migrations.ts";
import type { SqlDriver, SqlRecord } from "./sql_driver.ts";
import { userMigrations } from "./user_migrations.ts";
import { decodeCursor, type Page, pageLimit, toPage } from "../../core/readmodels/mod.ts";

const text = (value: unknown): string => String(value);
const optional = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : String(value);

function roleOf(value: unknown): Role {
  if (!isRole(value)) throw new TypeError(`Stored role "${String(value)}" is not a role`);
  return value;
}

/** SQLite's `SQLITE_CONSTRAINT_*` (extended code 19 in the low byte) and PostgreSQL's 23505. */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown };
  return e?.code === "23505" || (typeof e?.errcode === "number" && (e.errcode & 0xff) === 19);
}

function toUser(row: SqlRecord): UserRecord {
  return {
    username: text(row.username),
    role: roleOf(row.role),
    password: { algorithm: text(row.password_algorithm), hash: text(row.password_hash) },
    createdAt: text(row.created_at),
  };
}

function toToken(row: SqlRecord): TokenRecord {
  if (row.kind === "session") {
    return {
      kind: "session",
      hash: text(row.hash),
      username: text(row.username),
      createdAt: text(row.created_at),
      expiresAt: text(row.expires_at),
    };
  }
  const expiresAt = optional(row.expires_at);
  return {
    kind: "api",
    hash: text(row.hash),
    name: text(row.name),
    role: roleOf(row.role),
    createdAt: text(row.created_at),
    createdBy: text(row.created_by),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

function toAudit(row: SqlRecord): AuditRecord {
  return {
    id: text(row.id),
    at: text(row.at),
    actor: text(row.actor),
    action: text(row.action),
    target: text(row.target),
    status: Number(row.status),
  };
}

/** A user store over `driver`. Call `migrate()` once before use; `close()` closes the driver. */
export function createSqlUserStore(driver: SqlDriver): UserStore {
  const q = (sql: string, params: (string | number | null)[] = []) => driver.query(sql, params);

  return {
    async migrate() {
      await runMigrations(driver, { migrations: userMigrations });
    },
    async createUser(user) {
      try {
        await q(
          "INSERT INTO users (username, role, password_algorithm, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
          [user.username, user.role, user.password.algorithm, user.password.hash, user.createdAt],
        );
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`User "${user.username}" already exists`);
        throw error;
      }
    },
    async getUser(username) {
      const [row] = await q("SELECT * FROM users WHERE username = ?", [username]);
      return row ? toUser(row) : undefined;
    },
    async listUsers() {
      return (await q("SELECT * FROM users ORDER BY username")).map(toUser);
    },
    deleteUser(username) {
      return driver.transaction(async (tx) => {
        // Locks the admin rows on PostgreSQL so two concurrent deletes cannot remove both of the
        // last two admins; SQLite's transaction holds the write lock already.
        const lock = driver.dialect === "postgres" ? " FOR UPDATE" : "";
        const admins = await tx.query(`SELECT username FROM users WHERE role = 'admin'${lock}`);
        const [row] = await tx.query("SELECT role FROM users WHERE username = ?", [username]);
        if (!row) return false;
        if (row.role === "admin" && admins.length <= 1) {
          throw new ConflictError(`Cannot delete "${username}": it is the last admin`);
        }
        await tx.query("DELETE FROM auth_tokens WHERE kind = 'session' AND username = ?", [username]);
        // The API tokens it created, then those created with them, until a round revokes none.
        for (let creators = [username]; creators.length > 0;) {
          const revoked = await tx.query(
            `DELETE FROM auth_tokens WHERE kind = 'api' AND created_by IN (${
              creators.map(() => "?").join(", ")
            })
             RETURNING name`,
            creators,
          );
          creators = revoked.map((row) => `token:${text(row.name)}`);
        }
        await tx.query("DELETE FROM users WHERE username = ?", [username]);
        return true;
      });
    },
    setPassword(username, password, options = {}) {
      return driver.transaction(async (tx) => {
        const updated = await tx.query(
          "UPDATE users SET password_algorithm = ?, password_hash = ? WHERE username = ? RETURNING username",
          [password.algorithm, password.hash, username],
        );
        if (updated.length === 0) return false;
        await tx.query(
          "DELETE FROM auth_tokens WHERE kind = 'session' AND username = ? AND hash <> ?",
          [username, options.keepSession ?? ""],
        );
        return true;
      });
    },
    async saveToken(token) {
      try {
        await q(
          `INSERT INTO auth_tokens (hash, kind, name, username, role, created_at, created_by, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          token.kind === "session"
            ? [token.hash, "session", null, token.username, null, token.createdAt, null, token.expiresAt]
            : [
              token.hash,
              "api",
              token.name,
              null,
              token.role,
              token.createdAt,
              token.createdBy,
              token.expiresAt ?? null,
            ],
        );
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ConflictError(`Token "${token.kind === "api" ? token.name : "session"}" already exists`);
        }
        throw error;
      }
    },
    async findToken(hash) {
      const [row] = await q("SELECT * FROM auth_tokens WHERE hash = ?", [hash]);
      return row ? toToken(row) : undefined;
    },
    async listApiTokens() {
      const rows = await q("SELECT * FROM auth_tokens WHERE kind = 'api' ORDER BY name");
      return rows.map((row): ApiTokenInfo => {
        const { hash: _hash, kind: _kind, ...info } = toToken(row) as Extract<TokenRecord, { kind: "api" }>;
        return info;
      });
    },
    async deleteApiToken(name) {
      const rows = await q("DELETE FROM auth_tokens WHERE kind = 'api' AND name = ? RETURNING hash", [name]);
      return rows.length > 0;
    },
    async deleteToken(hash) {
      await q("DELETE FROM auth_tokens WHERE hash = ?", [hash]);
    },
    async deleteExpiredTokens(now) {
      const rows = await q(
        "DELETE FROM auth_tokens WHERE expires_at IS NOT NULL AND expires_at < ? RETURNING hash",
        [now],
      );
      return rows.length;
    },
    async appendAudit(record) {
      await q(
        "INSERT INTO audit_log (id, at, actor, action, target, status) VALUES (?, ?, ?, ?, ?, ?)",
        [record.id, record.at, record.actor, record.action, record.target, record.status],
      );
    },
    async listAudit(options: ListAuditOptions = {}): Promise<Page<AuditRecord>> {
      const limit = pageLimit(options.limit);
      const rows = options.cursor === undefined
        ? await q("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", [limit + 1])
        : await q("SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?", [
          decodeCursor(options.cursor),
          limit + 1,
        ]);
      return toPage(rows.map(toAudit), limit, (r) => r.id);
    },
    close: () => driver.close(),
  };
}
