/**
 * `DeviceIdClaims` on SQL, for SQLite and PostgreSQL: one row per leased id, its primary key the
 * atomic "only one" every API replica of a deployment sees. It lives in the user database (beside
 * users and tokens, not a read model: a rebuild must not clear leases) with its own migration
 * range, 2001+.
 *
 * One statement claims: insert the lease, or take over the row when it has expired. On PostgreSQL
 * a concurrent claim of the same id waits for the first one's row, then re-checks the condition
 * against it and takes nothing; SQLite serializes writers anyway.
 */
import type { DeviceIdClaims } from "../../core/devices/device_id_claims.ts";
import { type Migration, runMigrations } from "./schema_migrations.ts";
import type { SqlDriver } from "./sql_driver.ts";

export const deviceIdClaimMigrations: readonly Migration[] = [
  {
    version: 2001,
    description: "device id claims: leases on ids being registered",
    statements: [
      `CREATE TABLE device_id_claims (id {key} PRIMARY KEY, owner TEXT NOT NULL, expires_at BIGINT NOT NULL)`,
      `CREATE INDEX device_id_claims_by_expiry ON device_id_claims (expires_at)`,
    ],
  },
];

const CLAIM = `INSERT INTO device_id_claims (id, owner, expires_at) VALUES (?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
  WHERE device_id_claims.expires_at <= ?
  RETURNING owner`;

/** Leases over `driver`; `migrate()` creates the table. `close()` closes the driver. */
export function createSqlDeviceIdClaims(driver: SqlDriver): DeviceIdClaims & { migrate(): Promise<void> } {
  return {
    async migrate() {
      await runMigrations(driver, { migrations: deviceIdClaimMigrations });
    },
    async claim(id, { owner, now, expiresAt }) {
      // Leases of registrations that succeeded are never released (see device_id_claims.ts): they go here.
      await driver.query("DELETE FROM device_id_claims WHERE expires_at <= ?", [now]);
      const rows = await driver.query(CLAIM, [id, owner, expiresAt, now]);
      return rows.length === 1;
    },
    async release(id, owner) {
      await driver.query("DELETE FROM device_id_claims WHERE id = ? AND owner = ?", [id, owner]);
    },
    close: () => driver.close(),
  };
}
