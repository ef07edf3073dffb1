/**
 * Limits, opaque cursors and keyset pages shared by every read model, so pages and cursors are the
 * same whatever the engine. A cursor is the base64url of the last id of a page.
 */
import { ValidationError } from "../errors.ts";
import type { ReadModel } from "./define.ts";
import type { Page, ReadModelStore, RowFilter, RowQuery } from "./store.ts";

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

/**
 * The page size for `limit`: the default when absent, clamped to the maximum. Throws a
 * `RangeError` for anything but a positive integer.
 */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`Cannot list with limit ${limit}: expected a positive integer`);
  }
  return Math.min(limit, MAX_PAGE_LIMIT);
}

/** The cursor that continues after the row with `id`. */
export function encodeCursor(id: string): string {
  const bytes = new TextEncoder().encode(id);
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The id a cursor continues after. Throws a `ValidationError` for anything `encodeCursor` did not make. */
export function decodeCursor(cursor: string): string {
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error("not base64url");
    const binary = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch (cause) {
    throw new ValidationError(
      `Cannot read cursor "${cursor.slice(0, 64)}": not a cursor from a previous page`,
      {
        cause,
        details: [{ path: "cursor", message: "invalid cursor" }],
      },
    );
  }
}

/** Turns `limit + 1` fetched rows into a page: the extra row only says there is a next page. */
export function toPage<Row>(rows: Row[], limit: number, idOf: (row: Row) => string): Page<Row> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, next: encodeCursor(idOf(items[items.length - 1]!)) };
}

export interface ListPageOptions<Row> {
  where?: readonly RowFilter<Row>[];
  entry?: RowQuery<Row>["entry"];
  /** Newest (highest key) first; default ascending. */
  descending?: boolean;
  /** `next` of the previous page. */
  cursor?: string | undefined;
  /** Default 50, at most 500 (larger values are clamped). */
  limit?: number | undefined;
}

/** One page of `model`'s rows in key order, after `cursor`: keyset pagination on a one-field key. */
export async function listPage<Row>(
  store: ReadModelStore,
  model: ReadModel<Row, string>,
  options: ListPageOptions<Row> = {},
): Promise<Page<Row>> {
  const limit = pageLimit(options.limit);
  const field = model.key[0]!;
  const where = [...(options.where ?? [])];
  if (options.cursor !== undefined) {
    const after = decodeCursor(options.cursor) as NonNullable<Row[typeof field]>;
    where.push({ field, op: options.descending ? "<" : ">", value: after } as RowFilter<Row>);
  }
  const rows = await store.list(model, {
    where,
    ...(options.entry ? { entry: options.entry } : {}),
    orderBy: [{ field, desc: options.descending ?? false }],
    limit: limit + 1,
  });
  return toPage(rows, limit, (row) => String(row[field]));
}
