/**
 * The thin dialect layer the SQL read models run on. SQL is written once, with `?` placeholders
 * and portable syntax (`INSERT … ON CONFLICT … DO UPDATE SET … = excluded.…`, `RETURNING`); a
 * driver only binds parameters, runs transactions and maps engine errors. Values are always bound,
 * never interpolated.
 */

/** A bound parameter. Booleans are stored as 0/1 and JSON as text, so both engines agree. */
export type SqlParam = string | number | null | SqlArrayParam;

/** A whole column bound at once (`?::text[]`): PostgreSQL only; SQLite statements never use it. */
export type SqlArrayParam = readonly (string | number | null)[];

/** A row as the engine returns it; columns are read by name. */
export type SqlRecord = Record<string, unknown>;

export interface SqlTx {
  /** Runs one statement with `?` placeholders bound to `params`; returns the rows (none for writes). */
  query<R = SqlRecord>(sql: string, params?: readonly SqlParam[]): Promise<R[]>;
}

export interface SqlDriver extends SqlTx {
  readonly dialect: "sqlite" | "postgres";
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. SQLite
   * takes the write lock up front (`BEGIN IMMEDIATE`); transactions of one driver never interleave
   * on a shared connection.
   */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Rewrites `?` placeholders to PostgreSQL's `$1, $2, …`, leaving `?` inside quoted strings,
 * quoted identifiers and comments alone.
 */
export function toNumberedPlaceholders(sql: string): string {
  let out = "";
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      const end = sql.indexOf(ch, i + 1);
      const stop = end === -1 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === "?") {
      out += `$${++n}`;
      i++;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}
