/**
 * The first start of an installation: with no admin yet, create user `admin` with the configured
 * password, or with a generated one that the caller prints once.
 */
import type { PasswordHash, UserStore } from "./user_store.ts";

export interface EnsureAdminOptions {
  /** `AIOT_ADMIN_PASSWORD`; when absent a password is generated. */
  password?: string;
  hashSecret(secret: string): Promise<PasswordHash>;
  /** A fresh random secret (e.g. 32 random bytes, base64url). */
  generatePassword(): string;
  now?: () => number;
}

export interface EnsureAdminResult {
  created: boolean;
  /** Set only when the password was generated: show it once, it is stored nowhere else. */
  generatedPassword?: string;
}

/**
 * Creates user `admin` (role admin) when no user has the admin role. Returns what it did; an
 * existing admin is left alone even when `password` differs (change it through the API).
 */
export async function ensureAdmin(store: UserStore, options: EnsureAdminOptions): Promise<EnsureAdminResult> {
  const users = await store.listUsers();
  if (users.some((user) => user.role === "admin")) return { created: false };
  const generated = options.password === undefined ? options.generatePassword() : undefined;
  const password = options.password ?? generated!;
  await store.createUser({
    username: "admin",
    role: "admin",
    password: await options.hashSecret(password),
    createdAt: new Date((options.now ?? Date.now)()).toISOString(),
  });
  return generated === undefined ? { created: true } : { created: true, generatedPassword: generated };
}
