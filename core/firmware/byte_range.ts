/**
 * The `Range` request header (RFC 9110 §14) for one representation of `size` bytes: which bytes
 * to send. One range only: a multi-range request is answered whole (which the RFC allows), as is
 * any header that does not parse or whose `If-Range` validator no longer matches, so a client
 * resuming against a changed image restarts instead of splicing two images.
 */
import type { ByteSpan } from "./store.ts";

export type RangeAnswer =
  /** 200 with every byte. */
  | { kind: "full" }
  /** 206 with `Content-Range: bytes start-end/size`. */
  | ({ kind: "partial" } & ByteSpan)
  /** 416 with `Content-Range: bytes *\/size`. */
  | { kind: "unsatisfiable" };

const SPEC = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i;

/**
 * What to send for `range` (the header, or undefined) of a representation of `size` bytes whose
 * strong ETag is `etag`; `ifRange` is the `If-Range` header.
 */
export function answerRange(
  range: string | undefined,
  size: number,
  options: { etag?: string; ifRange?: string } = {},
): RangeAnswer {
  if (range === undefined) return { kind: "full" };
  // If-Range with a date cannot be strong for us; only our exact ETag keeps the range.
  if (options.ifRange !== undefined && options.ifRange.trim() !== options.etag) return { kind: "full" };
  const match = SPEC.exec(range.trim());
  if (!match) return { kind: "full" };
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return { kind: "full" };
  if (first === "") {
    // Suffix: the last n bytes.
    const n = Number(last);
    if (n === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  if (last !== "" && Number(last) < start) return { kind: "full" }; // invalid: ignored
  if (start >= size) return { kind: "unsatisfiable" };
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: "partial", start, end };
}
