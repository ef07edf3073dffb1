/**
 * @module
 * Users of the HTTP API: the role matrix (viewer ⊂ operator ⊂ admin), the `UserStore` port for
 * users, sessions, API tokens and the audit log, and `ensureAdmin` for the first start.
 */
export {
  isRole,
  type Permission,
  PERMISSIONS,
  type Role,
  ROLE_PERMISSIONS,
  roleAllows,
  ROLES,
} from "./roles.ts";
export type {
  ApiTokenInfo,
  AuditRecord,
  ListAuditOptions,
  PasswordHash,
  TokenRecord,
  UserRecord,
  UserStore,
} from "./user_store.ts";
export { ensureAdmin, type EnsureAdminOptions, type EnsureAdminResult } from "./ensure_admin.ts";
