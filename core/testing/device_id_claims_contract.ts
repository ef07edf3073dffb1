/**
 * The one contract every `DeviceIdClaims` passes: the in-process map, SQLite and PostgreSQL.
 * The factory returns an empty store (it may hand the same backing database to each call: the
 * "replicas" case opens two); the case closes what it opened.
 *
 * ```ts
 * for (const c of deviceIdClaimsContract) Deno.test(`DeviceIdClaims contract [sqlite] › ${c.name}`, () => c.run(f));
 * ```
 */
import assert from "node:assert/strict";
import type { DeviceIdClaims } from "../devices/device_id_claims.ts";

export type DeviceIdClaimsFactory = () => Promise<DeviceIdClaims>;

export interface DeviceIdClaimsContractCase {
  name: string;
  run(newClaims: DeviceIdClaimsFactory): Promise<void>;
}

const T = Date.UTC(2025, 0, 1);
const lease = (owner: string, now: number, ttl = 60_000) => ({ owner, now, expiresAt: now + ttl });

async function withClaims(newClaims: DeviceIdClaimsFactory, fn: (claims: DeviceIdClaims) => Promise<void>) {
  const claims = await newClaims();
  try {
    await fn(claims);
  } finally {
    await claims.close();
  }
}

export const deviceIdClaimsContract: DeviceIdClaimsContractCase[] = [
  {
    name: "claim() gives an id to one owner until the lease expires",
    run: (f) =>
      withClaims(f, async (claims) => {
        assert.equal(await claims.claim("d1", lease("a", T)), true);
        assert.equal(await claims.claim("d1", lease("b", T + 1)), false);
        assert.equal(await claims.claim("d1", lease("a", T + 2)), false, "not even its owner twice");
        assert.equal(await claims.claim("d2", lease("b", T + 3)), true, "other ids are free");
        assert.equal(await claims.claim("d1", lease("b", T + 59_999)), false);
        assert.equal(
          await claims.claim("d1", lease("b", T + 60_000)),
          true,
          "an expired lease is taken over",
        );
      }),
  },
  {
    name: "release() frees the owner's lease only, also after a takeover",
    run: (f) =>
      withClaims(f, async (claims) => {
        await claims.claim("d1", lease("a", T));
        await claims.release("d1", "b");
        assert.equal(await claims.claim("d1", lease("c", T + 1)), false, "b held nothing");
        await claims.release("d1", "a");
        assert.equal(await claims.claim("d1", lease("b", T + 2)), true);
        assert.equal(await claims.claim("d1", lease("c", T + 60_002)), true, "b expired; c took over");
        await claims.release("d1", "b");
        assert.equal(
          await claims.claim("d1", lease("d", T + 60_003)),
          false,
          "b's late release left c's lease",
        );
        await claims.release("never-claimed", "x");
      }),
  },
  {
    name: "concurrent claims of one id: exactly one wins",
    run: (f) =>
      withClaims(f, async (claims) => {
        const won = await Promise.all(
          Array.from({ length: 10 }, (_, i) => claims.claim("d1", lease(`o${i}`, T))),
        );
        assert.equal(won.filter(Boolean).length, 1);
      }),
  },
];
