/**
 * Long SQLite reads in pages, with a turn of the event loop between pages. `node:sqlite` is
 * synchronous: one query over a million raw points held the thread for seconds, and every other
 * request (`/healthz` too) waited behind it. Pages are keyset-paged on a unique, ascending key
 * (a point's `t` in its series, a rollup's bucket in its level), so a page is one index seek.
 * Pages are separate reads, not one snapshot: a write committed between two pages may show up in
 * the later one, never twice, since each key is read once.
 */

/** Rows per page by default: a few milliseconds of work per page. */
export const DEFAULT_PAGE_ROWS = 5_000;

/** Lets timers and I/O run: a macrotask, so queued timers (and requests) get their turn. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * The rows of a keyset-paged query, page after page. `page(from, limit)` returns up to `limit`
 * rows whose key is at least `from`, in ascending key order; `keyOf` reads the integer key of a
 * row. Stops when a page comes back short, or when the consumer stops iterating.
 */
export async function* pagedRows<R>(
  page: (from: number, limit: number) => R[],
  keyOf: (row: R) => number,
  options: { from: number; pageRows?: number },
): AsyncGenerator<R[]> {
  const pageRows = options.pageRows ?? DEFAULT_PAGE_ROWS;
  let from = options.from;
  for (;;) {
    const rows = page(from, pageRows);
    if (rows.length > 0) yield rows;
    if (rows.length < pageRows) return;
    from = keyOf(rows[rows.length - 1]!) + 1;
    await yieldToEventLoop();
  }
}
