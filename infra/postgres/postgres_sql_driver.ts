/**
 * `SqlDriver` over PostgreSQL (`npm:postgres`). Statements written with `?` are renumbered to
 * `$1…` and run with `sql.unsafe(text, params, { prepare: true })`: the text is ours, the values
 * are still bound parameters. Prepared statements nearly double projection throughput; callers
 * keep the set of statement texts small (`sql_rows.ts` sizes its multi-row statements from a
 * fixed ladder) because each connection keeps every statement it prepared. Connection failures
 * and the SQLSTATEs a retry can fix become retriable `InfrastructureError`s, so the processor
 * runner waits out an outage instead of dead-lettering events.
 */
import postgres from "postgres";
import { InfrastructureError } from "../../core/errors.ts";
import {
  type SqlDriver,
  type SqlParam,
  type SqlTx,
  toNumberedPlaceholders,
} from "../readmodels/sql_driver.ts";

export interface PostgresSqlDriverOptions {
  /** `postgres://user:password@host:port/database`. */
  url: string;
  /** Pool size. Default 4. */
  max?: number;
  /** Sets `search_path` on every connection, e.g. a schema per tenant or per test run. */
  searchPath?: string;
  /** Seconds to wait for a connection (after the reconnect backoff, at most 1 s). Default 10. */
  connectTimeoutSeconds?: number;
}

/** Error codes of the driver and the socket that mean the server could not be reached or went away. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);

/**
 * SQLSTATEs a retry can fix: connection exceptions (08…), insufficient resources (53…: disk full,
 * out of memory, too many connections, a configured limit), the server shutting down, crashed or
 * starting (57P01–57P03), serialization failure (40001), deadlock (40P01), lock timeout (55P03).
 * A full disk is not bad input: dead-lettering would lose the event, retrying waits for space.
 */
function isRetriableState(code: string): boolean {
  return code.startsWith("08") || code.startsWith("53") ||
    ["57P01", "57P02", "57P03", "40001", "40P01", "55P03"].includes(code);
}

/**
 * Seconds postgres.js waits after a failed connection before it connects again, by consecutive
 * failures: its own curve with the cap lowered from 20 s to 1 s. The wait comes before the
 * connection attempt (which `connect_timeout` bounds), so with the default every query of the
 * pool, an API request as well, could hang 20 s during an outage before it even failed.
 */
export function reconnectBackoffSeconds(retries: number): number {
  return (0.5 + Math.random() / 2) * Math.min(3 ** retries / 100, 1);
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparsable url>";
  }
}

function mapError(error: unknown, where: string): unknown {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && (CONNECTION_CODES.has(code) || isRetriableState(code))) {
    return new InfrastructureError(`PostgreSQL at ${where} failed: ${(error as Error).message} (${code})`, {
      retriable: true,
      cause: error,
    });
  }
  return error;
}

/**
 * Connects and checks readiness with `select 1`. Throws a retriable `InfrastructureError` when the
 * server cannot be reached.
 */
export async function createPostgresSqlDriver(options: PostgresSqlDriverOptions): Promise<SqlDriver> {
  const where = redact(options.url);
  const sql = postgres(options.url, {
    max: options.max ?? 4,
    onnotice: () => {},
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    backoff: reconnectBackoffSeconds,
    ...(options.searchPath === undefined ? {} : { connection: { search_path: options.searchPath } }),
  });
  try {
    await sql`select 1`;
  } catch (error) {
    await sql.end({ timeout: 0 }).catch(() => {});
    const mapped = mapError(error, where);
    throw mapped instanceof InfrastructureError ? mapped : new InfrastructureError(
      `Cannot use PostgreSQL at ${where}: ${(error as Error)?.message ?? error}`,
      { retriable: false, cause: error },
    );
  }

  type Unsafe = (text: string, params: SqlParam[]) => Promise<unknown>;
  const runOn = async <R>(unsafe: Unsafe, text: string, params: readonly SqlParam[]): Promise<R[]> => {
    try {
      const rows = await unsafe(toNumberedPlaceholders(text), [...params]) as R[];
      // `filter` drops holes: after a query that failed mid-stream (the server ended the session
      // after sending rows), postgres.js 3.4.9 puts the next result's rows behind that many
      // empty slots (porsager/postgres#1119, #1181). Rows are objects, never undefined.
      return rows.filter(() => true);
    } catch (error) {
      throw mapError(error, where);
    }
  };

  return {
    dialect: "postgres",

    query: <R>(text: string, params: readonly SqlParam[] = []) =>
      runOn<R>((t, p) => sql.unsafe(t, p, { prepare: true }), text, params),

    async transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
      try {
        return await sql.begin(async (tx) => {
          const handle: SqlTx = {
            query: <R>(text: string, params: readonly SqlParam[] = []) =>
              runOn<R>((t, p) => tx.unsafe(t, p, { prepare: true }), text, params),
          };
          return await fn(handle);
        }) as T;
      } catch (error) {
        throw mapError(error, where);
      }
    },

    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
