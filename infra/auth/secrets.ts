/**
 * Secrets (device tokens, passwords) are stored only as scrypt hashes and checked in constant
 * time. Format: `scrypt$<logN>$<r>$<p>$<salt b64>$<hash b64>`: the cost travels with each hash, so
 * it can be raised without invalidating stored hashes (`verifySecret` reads it from the hash).
 *
 * Two costs, because the secrets differ: a token is 32 random bytes that no amount of guessing
 * finds, so its hash only has to be one-way and cheap enough for a reconnect storm of devices
 * (`TOKEN_COST`); a password is chosen by a person, so its hash must make offline guessing
 * expensive (`PASSWORD_COST`).
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

export interface StoredSecret {
  algorithm: "scrypt";
  hash: string;
}

export interface ScryptCost {
  /** log2 of N. Memory is 128·N·r bytes per hash; work grows with N·r·p. */
  logN: number;
  r: number;
  p: number;
}

/**
 * Device tokens: N = 2^10, r = 8, p = 1 (1 MiB, ~1–3 ms). A 256-bit random token needs no
 * memory-hard hash, and the memory is not free: each scrypt run allocates 128·N·r bytes on one of
 * the runtime's blocking threads, and glibc keeps freed blocks in per-thread arenas, so at N = 2^14
 * (16 MiB, the cost until issue 18) registering or connecting 1,000 devices left ~300 MiB resident
 * for good (measured: 200 hash+verify pairs, +232 MiB at 2^14, +23 MiB at 2^10, 15× faster).
 * Tokens hashed at the old cost still verify (the cost is in the hash).
 */
export const TOKEN_COST: ScryptCost = { logN: 10, r: 8, p: 1 };

/**
 * Passwords: N = 2^15, r = 8, p = 3, one of the equivalent settings OWASP's Password Storage
 * Cheat Sheet lists (with N = 2^17, r = 8, p = 1). It buys about the same guessing cost for 32 MiB
 * instead of 128 MiB a hash: Node runs scrypt on libuv's thread pool (4 threads by default), so
 * concurrent logins peak at 128 MiB instead of 512 MiB, and the login rate limit bounds them.
 * About 5 times the work of `TOKEN_COST` (≈ 0.2–0.7 s on this project's 2-core machines).
 */
export const PASSWORD_COST: ScryptCost = { logN: 15, r: 8, p: 3 };
const KEY_LENGTH = 32;

function derive(secret: string, salt: Uint8Array, cost: ScryptCost): Promise<Buffer> {
  const N = 2 ** cost.logN;
  return new Promise((resolve, reject) =>
    scrypt(
      secret,
      salt,
      KEY_LENGTH,
      { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r },
      (error, key) => error ? reject(error) : resolve(key),
    )
  );
}

/** A new random token: 32 bytes, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}

export async function hashSecret(secret: string, cost: ScryptCost = TOKEN_COST): Promise<StoredSecret> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, cost);
  return {
    algorithm: "scrypt",
    hash: `scrypt$${cost.logN}$${cost.r}$${cost.p}$${salt.toString("base64")}$${key.toString("base64")}`,
  };
}

/** A password's hash, at `PASSWORD_COST`. */
export function hashPassword(password: string): Promise<StoredSecret> {
  return hashSecret(password, PASSWORD_COST);
}

/** True when `secret` matches `stored`; false for any malformed or foreign hash. */
export async function verifySecret(
  secret: string,
  stored: { algorithm: string; hash: string },
): Promise<boolean> {
  if (stored.algorithm !== "scrypt") return false;
  const [tag, logN, r, p, salt, hash] = stored.hash.split("$");
  if (tag !== "scrypt" || !logN || !r || !p || !salt || !hash) return false;
  const cost = { logN: Number(logN), r: Number(r), p: Number(p) };
  if (![cost.logN, cost.r, cost.p].every((n) => Number.isInteger(n) && n > 0) || cost.logN > 20) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = await derive(secret, Buffer.from(salt, "base64"), cost);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
