/**
 * Roles and the permission each API route asks for. Three roles, each a superset of the one
 * before: viewers read everything, operators also act on devices (registry writes, desired state,
 * commands), admins also manage users, API tokens and read the audit log.
 */

export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = typeof ROLES[number];

/** What a route needs: `read` any data, `operate` devices, `manage` users/tokens/audit. */
export type Permission = "read" | "operate" | "manage";
export const PERMISSIONS: readonly Permission[] = ["read", "operate", "manage"];

/** The role matrix: the permissions each role holds. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: ["read"],
  operator: ["read", "operate"],
  admin: ["read", "operate", "manage"],
};

/** True when `role` holds `permission`. */
export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** True when `value` names a role. */
export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}
