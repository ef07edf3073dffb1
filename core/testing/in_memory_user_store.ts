/**
 * The in-memory `UserStore` fake: users, tokens and the audit log in maps, with the same rules as
 * the SQL store (unique names, the last admin stays, newest-first audit pages).
 */
import { ConflictError } from "../errors.ts";
import type {
  ApiTokenInfo,
  AuditRecord,
  ListAuditOptions,
  TokenRecord,
  UserRecord,
  UserStore,
} from "../users/user_store.ts";
import { decodeCursor, type Page, pageLimit, toPage } from "../readmodels/mod.ts";

const byKey = <T>(key: (row: T) => string) => (a: T, b: T) => key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** A fresh, empty fake. */
export function createInMemoryUserStore(): UserStore {
  const users = new Map<string, UserRecord>();
  const tokens = new Map<string, TokenRecord>();
  const audit: AuditRecord[] = [];
  const copy = <T>(value: T): T => structuredClone(value);

  return {
    migrate: () => Promise.resolve(),
    createUser(user) {
      if (users.has(user.username)) {
        return Promise.reject(new ConflictError(`User "${user.username}" already exists`));
      }
      users.set(user.username, copy(user));
      return Promise.resolve();
    },
    getUser: (username) => Promise.resolve(copy(users.get(username))),
    listUsers: () => Promise.resolve([...users.values()].sort(byKey((u) => u.username)).map(copy)),
    deleteUser(username) {
      const user = users.get(username);
      if (!user) return Promise.resolve(false);
      const admins = [...users.values()].filter((u) => u.role === "admin").length;
      if (user.role === "admin" && admins <= 1) {
        return Promise.reject(new ConflictError(`Cannot delete "${username}": it is the last admin`));
      }
      users.delete(username);
      for (const [hash, token] of tokens) {
        if (token.kind === "session" && token.username === username) tokens.delete(hash);
      }
      // The API tokens it created, then those created with them (`token:<name>`).
      const creators = [username];
      for (let i = 0; i < creators.length; i++) {
        for (const [hash, token] of tokens) {
          if (token.kind !== "api" || token.createdBy !== creators[i]) continue;
          tokens.delete(hash);
          creators.push(`token:${token.name}`);
        }
      }
      return Promise.resolve(true);
    },
    setPassword(username, password, options = {}) {
      const user = users.get(username);
      if (!user) return Promise.resolve(false);
      users.set(username, { ...user, password: copy(password) });
      for (const [hash, token] of tokens) {
        if (token.kind === "session" && token.username === username && hash !== options.keepSession) {
          tokens.delete(hash);
        }
      }
      return Promise.resolve(true);
    },
    saveToken(token) {
      const taken = token.kind === "api" &&
        [...tokens.values()].some((t) => t.kind === "api" && t.name === token.name);
      if (taken || tokens.has(token.hash)) {
        return Promise.reject(new ConflictError(`Token "${token.kind === "api" ? token.name : ""}" exists`));
      }
      tokens.set(token.hash, copy(token));
      return Promise.resolve();
    },
    findToken: (hash) => Promise.resolve(copy(tokens.get(hash))),
    listApiTokens() {
      const list: ApiTokenInfo[] = [];
      for (const token of tokens.values()) {
        if (token.kind !== "api") continue;
        const { hash: _hash, kind: _kind, ...info } = token;
        list.push(copy(info));
      }
      return Promise.resolve(list.sort(byKey((t) => t.name)));
    },
    deleteApiToken(name) {
      for (const [hash, token] of tokens) {
        if (token.kind === "api" && token.name === name) return Promise.resolve(tokens.delete(hash));
      }
      return Promise.resolve(false);
    },
    deleteToken(hash) {
      tokens.delete(hash);
      return Promise.resolve();
    },
    deleteExpiredTokens(now) {
      let removed = 0;
      for (const [hash, token] of tokens) {
        if (token.expiresAt !== undefined && token.expiresAt < now) removed += Number(tokens.delete(hash));
      }
      return Promise.resolve(removed);
    },
    appendAudit(record) {
      audit.push(copy(record));
      return Promise.resolve();
    },
    listAudit(options: ListAuditOptions = {}): Promise<Page<AuditRecord>> {
      try {
        const limit = pageLimit(options.limit);
        const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
        const rows = [...audit].sort(byKey((r: AuditRecord) => r.id)).reverse()
          .filter((r) => after === undefined || r.id < after)
          .slice(0, limit + 1);
        return Promise.resolve(toPage(rows.map(copy), limit, (r) => r.id));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    close: () => Promise.resolve(),
  };
}
