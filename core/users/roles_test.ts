import assert from "node:assert/strict";
import { isRole, PERMISSIONS, ROLE_PERMISSIONS, roleAllows, ROLES } from "./roles.ts";

Deno.test("roleAllows() follows the matrix: viewer reads, operator operates, admin manages", () => {
  const table = ROLES.map((role) => [role, PERMISSIONS.filter((p) => roleAllows(role, p))]);
  assert.deepEqual(table, [
    ["viewer", ["read"]],
    ["operator", ["read", "operate"]],
    ["admin", ["read", "operate", "manage"]],
  ]);
});

Deno.test("each role holds every permission of the roles below it", () => {
  for (let i = 1; i < ROLES.length; i++) {
    for (const p of ROLE_PERMISSIONS[ROLES[i - 1]!]) assert.ok(roleAllows(ROLES[i]!, p));
  }
});

Deno.test("isRole() accepts only the three roles", () => {
  assert.ok(isRole("operator"));
  assert.ok(!isRole("root"));
  assert.ok(!isRole(undefined));
});
