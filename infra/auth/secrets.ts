/**
 * Secrets (device tokens, API tokens, passwords) are stored only as scrypt hashes and checked in
 * constant time. Format: `scrypt$<logN>$<r>$<p>$<salt b64>$<hash b64>`, so parameters can be raised
 * later without invalidating stored hashes.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

export interface StoredSecret {
  algorithm: "scrypt";
  hash: string;
}

export interface ScryptCost {
  /** log2 of N. Default 14 (N = 16384, ~16 MiB, tens of ms). */
  logN: number;
  r: number;
  p: number;
}

const DEFAULT_COST: ScryptCost = { logN: 14, r: 8, p: 1 };
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

export async function hashSecret(secret: string, cost: ScryptCost = DEFAULT_COST): Promise<StoredSecret> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, cost);
  return {
    algorithm: "scrypt",
    hash: `scrypt$${cost.logN}$${cost.r}$${cost.p}$${salt.toString("base64")}$${key.toString("base64")}`,
  };
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
