/**
 * Counts of dead-lettered uplinks by reason, computed in the browser from the pages of
 * `GET /dlq` loaded so far (the API has no aggregate). Reasons name specifics (a JSON parser's
 * message, a byte count, a topic), so they are grouped by their kind: the text before the first
 * `": "`, with numbers and quoted parts blanked out.
 */
import type { DlqRow } from "../../core/readmodels/mod.ts";

export interface ReasonCount {
  kind: string;
  count: number;
}

/** `invalid JSON: Unexpected token…` → `invalid JSON`; `payload is 300 bytes, limit 256` → `payload is # bytes, limit #`. */
export function reasonKind(reason: string): string {
  const colon = reason.indexOf(": ");
  const head = colon > 0 ? reason.slice(0, colon) : reason;
  return head.replace(/"[^"]*"/g, '"…"').replace(/\d+(\.\d+)?/g, "#").trim();
}

/** Reason kinds by count, most frequent first (then by name). */
export function countReasons(items: readonly Pick<DlqRow, "reason">[]): ReasonCount[] {
  const counts = new Map<string, number>();
  for (const { reason } of items) {
    const kind = reasonKind(reason);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, count]) => ({ kind, count }))
    .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
}

/** A payload (base64) as text when it is UTF-8, shortened to `max` characters; else its size. */
export function payloadPreview(base64: string, max = 200): string {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return text.length > max ? `${text.slice(0, max)}…` : text;
  } catch {
    return `(${bytes.length} bytes of binary)`;
  }
}
