/**
 * Where the emulator's device identities come from: a token file (`id token` per line, as an
 * operator collects them from `deno task aiot devices create`) or the HTTP API, which registers
 * the devices — or rotates the token of those that already exist, since a token is shown only once.
 */
import type { EmulatedIdentity } from "./emulator.ts";

/** Parses `id token` lines; blank lines and `#` comments are skipped. Throws a `SyntaxError` naming the line. */
export function parseTokenFile(text: string): EmulatedIdentity[] {
  const identities: EmulatedIdentity[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const [id, token, ...extra] = line.split(/\s+/);
    if (!id || !token || extra.length > 0) {
      throw new SyntaxError(`Cannot read token file line ${index + 1}: expected "<device id> <token>"`);
    }
    identities.push({ id, token });
  });
  return identities;
}

/** The token-file form of `identities`, readable by `parseTokenFile`. */
export function formatTokenFile(identities: EmulatedIdentity[]): string {
  return "# device-id token (secrets: keep this file private)\n" +
    identities.map(({ id, token }) => `${id} ${token}\n`).join("");
}

export interface ApiRegistration {
  /** The platform's base URL, e.g. `http://localhost:8080`. */
  apiUrl: string;
  user: string;
  password: string;
  /** Device ids: `${prefix}-001` … */
  prefix: string;
  count: number;
  labels?: Record<string, string>;
  /** Registrations in flight at once (each costs the server a slow hash). Default 8. */
  concurrency?: number;
  progress?: (done: number, total: number) => void;
  fetch?: typeof fetch;
}

async function call(
  fetcher: typeof fetch,
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: unknown },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetcher(url, {
    method: init.method,
    headers: { "content-type": "application/json", ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { message: text.slice(0, 200) };
  }
  return { status: response.status, body };
}

const problem = (what: string, r: { status: number; body: Record<string, unknown> }) =>
  new Error(`${what} failed with HTTP ${r.status}: ${String(r.body.message ?? r.body.error ?? "")}`);

/** Logs in, then registers (or re-tokens) `count` devices; returns their identities in id order. */
export async function registerViaApi(options: ApiRegistration): Promise<EmulatedIdentity[]> {
  const fetcher = options.fetch ?? fetch;
  const api = `${options.apiUrl.replace(/\/+$/, "")}/api/v1`;
  const login = await call(fetcher, `${api}/auth/login`, {
    method: "POST",
    body: { username: options.user, password: options.password },
  });
  if (login.status !== 200 || typeof login.body.token !== "string") throw problem("Login", login);
  const headers = { authorization: `Bearer ${login.body.token}` };
  const width = String(options.count).length < 3 ? 3 : String(options.count).length;
  const ids = Array.from(
    { length: options.count },
    (_, i) => `${options.prefix}-${String(i + 1).padStart(width, "0")}`,
  );

  const identities: EmulatedIdentity[] = new Array(ids.length);
  let cursor = 0;
  let done = 0;
  const worker = async () => {
    while (cursor < ids.length) {
      const index = cursor++;
      const id = ids[index]!;
      let answer = await call(fetcher, `${api}/devices`, {
        method: "POST",
        headers,
        body: { id, ...(options.labels ? { labels: options.labels } : {}) },
      });
      if (answer.status === 409) {
        answer = await call(fetcher, `${api}/devices/${encodeURIComponent(id)}/token`, {
          method: "POST",
          headers,
        });
      }
      if (answer.status >= 300 || typeof answer.body.token !== "string") {
        throw problem(`Registering ${id}`, answer);
      }
      identities[index] = { id, token: answer.body.token };
      options.progress?.(++done, ids.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, ids.length) }, worker));
  return identities;
}
