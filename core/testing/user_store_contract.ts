/**
 * The one contract every `UserStore` passes: the in-memory fake, SQLite and PostgreSQL.
 *
 * ```ts
 * for (const c of userStoreContract) Deno.test(`UserStore contract [sqlite] › ${c.name}`, () => c.run(factory));
 * ```
 * The factory returns a migrated, empty store; the case closes it.
 */
import assert from "node:assert/strict";
import { ConflictError, ValidationError } from "../errors.ts";
import type { AuditRecord, TokenRecord, UserRecord, UserStore } from "../users/user_store.ts";

export type UserStoreFactory = () => Promise<UserStore>;

export interface UserStoreContractCase {
  name: string;
  run(newStore: UserStoreFactory): Promise<void>;
}

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();

const user = (username: string, role: UserRecord["role"]): UserRecord => ({
  username,
  role,
  password: { algorithm: "scrypt", hash: `scrypt$14$8$1$salt-${username}$hash` },
  createdAt: at(0),
});

const session = (hash: string, username: string, expiresMinute: number): TokenRecord => ({
  kind: "session",
  hash,
  username,
  createdAt: at(0),
  expiresAt: at(expiresMinute),
});

const apiToken = (hash: string, name: string, createdBy = "user:admin"): TokenRecord => ({
  kind: "api",
  hash,
  name,
  role: "operator",
  createdAt: at(1),
  createdBy,
});

async function withStore(newStore: UserStoreFactory, fn: (store: UserStore) => Promise<void>) {
  const store = await newStore();
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

export const userStoreContract: UserStoreContractCase[] = [
  {
    name: "creates, lists and finds users; a taken name is a ConflictError",
    run: (f) =>
      withStore(f, async (store) => {
        await store.createUser(user("zoe", "viewer"));
        await store.createUser(user("ann", "admin"));
        await assert.rejects(store.createUser(user("ann", "viewer")), ConflictError);
        assert.deepEqual(await store.getUser("zoe"), user("zoe", "viewer"));
        assert.equal(await store.getUser("nobody"), undefined);
        assert.deepEqual((await store.listUsers()).map((u) => u.username), ["ann", "zoe"]);
      }),
  },
  {
    name: "deleting a user drops its sessions; the last admin cannot be deleted",
    run: (f) =>
      withStore(f, async (store) => {
        await store.createUser(user("ann", "admin"));
        await store.createUser(user("bob", "admin"));
        await store.saveToken(session("h-bob", "bob", 60));
        assert.equal(await store.deleteUser("bob"), true);
        assert.equal(await store.findToken("h-bob"), undefined);
        await assert.rejects(store.deleteUser("ann"), ConflictError);
        assert.equal(await store.deleteUser("bob"), false);
        assert.ok(await store.getUser("ann"));
      }),
  },
  {
    name: "deleting a user revokes the API tokens it created, and those its tokens created in turn",
    run: (f) =>
      withStore(f, async (store) => {
        await store.createUser(user("ann", "admin"));
        await store.createUser(user("bob", "admin"));
        await store.saveToken(apiToken("h-ci", "ci", "bob"));
        await store.saveToken(apiToken("h-ci-child", "ci-child", "token:ci"));
        await store.saveToken(apiToken("h-ann", "ann-ci", "ann"));
        await store.saveToken(apiToken("h-bobby", "bobby", "bobby"));
        assert.equal(await store.deleteUser("bob"), true);
        assert.deepEqual((await store.listApiTokens()).map((t) => t.name), ["ann-ci", "bobby"]);
        assert.equal(await store.findToken("h-ci"), undefined);
        assert.equal(await store.findToken("h-ci-child"), undefined);
      }),
  },
  {
    name: "setPassword() replaces the hash and ends the user's other sessions; false for an unknown user",
    run: (f) =>
      withStore(f, async (store) => {
        await store.createUser(user("ann", "admin"));
        await store.createUser(user("bob", "viewer"));
        for (const [hash, name] of [["s1", "ann"], ["s2", "ann"], ["s3", "bob"]] as const) {
          await store.saveToken(session(hash, name, 60));
        }
        await store.saveToken(apiToken("h-ci", "ci", "ann"));
        const password = { algorithm: "scrypt", hash: "scrypt$15$8$3$new-salt$new-hash" };
        assert.equal(await store.setPassword("ann", password, { keepSession: "s1" }), true);
        assert.deepEqual((await store.getUser("ann"))?.password, password);
        assert.ok(await store.findToken("s1"), "the session that changed it stays");
        assert.equal(await store.findToken("s2"), undefined);
        assert.ok(await store.findToken("s3"), "another user's session stays");
        assert.ok(await store.findToken("h-ci"), "API tokens are not sessions");
        assert.equal(await store.setPassword("bob", password), true);
        assert.equal(await store.findToken("s3"), undefined, "without keepSession every session ends");
        assert.equal(await store.setPassword("nobody", password), false);
      }),
  },
  {
    name: "stores sessions and API tokens by hash; API token names are unique; revoke works",
    run: (f) =>
      withStore(f, async (store) => {
        await store.saveToken(session("h1", "ann", 60));
        await store.saveToken(apiToken("h2", "ci"));
        await assert.rejects(store.saveToken(apiToken("h3", "ci")), ConflictError);
        assert.deepEqual(await store.findToken("h1"), session("h1", "ann", 60));
        assert.deepEqual(await store.findToken("h2"), apiToken("h2", "ci"));
        assert.deepEqual(await store.listApiTokens(), [{
          name: "ci",
          role: "operator",
          createdAt: at(1),
          createdBy: "user:admin",
        }]);
        assert.equal(await store.deleteApiToken("ci"), true);
        assert.equal(await store.deleteApiToken("ci"), false);
        assert.equal(await store.findToken("h2"), undefined);
        await store.deleteToken("h1");
        assert.equal(await store.findToken("h1"), undefined);
      }),
  },
  {
    name: "deleteExpiredTokens() removes only tokens expired before now",
    run: (f) =>
      withStore(f, async (store) => {
        await store.saveToken(session("old", "ann", 10));
        await store.saveToken(session("new", "ann", 30));
        await store.saveToken(apiToken("forever", "ci"));
        assert.equal(await store.deleteExpiredTokens(at(20)), 1);
        assert.equal(await store.findToken("old"), undefined);
        assert.ok(await store.findToken("new"));
        assert.ok(await store.findToken("forever"));
      }),
  },
  {
    name: "lists the audit log newest first in pages; a bad cursor is a ValidationError",
    run: (f) =>
      withStore(f, async (store) => {
        const records: AuditRecord[] = Array.from({ length: 5 }, (_, i) => ({
          id: `0190000${i}-0000-7000-8000-000000000000`,
          at: at(i),
          actor: "user:ann",
          action: "POST /api/v1/devices",
          target: `/api/v1/devices/d${i}`,
          status: 201,
        }));
        for (const record of records) await store.appendAudit(record);
        const first = await store.listAudit({ limit: 3 });
        assert.deepEqual(first.items, [records[4], records[3], records[2]]);
        assert.ok(first.next);
        const second = await store.listAudit({ limit: 3, cursor: first.next });
        assert.deepEqual(second, { items: [records[1], records[0]] });
        await assert.rejects(store.listAudit({ cursor: "%%" }), ValidationError);
      }),
  },
];
