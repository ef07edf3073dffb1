/**
 * Limits and opaque cursors shared by every `ReadModels` adapter, so pages and cursors are the
 * same whatever the engine. A cursor is the base64url of the last id of a page.
 */
import { ValidationError } from "../errors.ts";

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
export function toPage<Row>(
  rows: Row[],
  limit: number,
  idOf: (row: Row) => string,
): { items: Row[]; next?: string } {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, next: encodeCursor(idOf(items[items.length - 1]!)) };
}
