/**
 * Retention of the dead-letter listing (`GET /dlq`): its rows are written once per rejected uplink
 * and no event ever removes them, so old ones are deleted here, oldest first, a chunk at a time.
 * Row ids are UUIDv7 (time ordered), so "older than" is a primary-key range.
 */
import { dlq } from "../readmodels/dlq/mod.ts";
import type { ReadModelStore } from "../readmodels/store.ts";
import { sweepInChunks, type SweepOptions } from "./sweep.ts";

/** The smallest UUIDv7 of `ms`: every id made at `ms` or later sorts at or after it, every earlier one before. */
export function uuidV7Floor(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** Deletes the dead letters appended more than `retentionMs` ago; resolves with how many. */
export async function sweepDeadLetters(
  store: ReadModelStore,
  retentionMs: number,
  options: SweepOptions,
): Promise<number> {
  const deleted = await sweepInChunks(
    { dlq: retentionMs },
    (_, before, limit) =>
      store.deleteRows(dlq, {
        where: [{ field: "id", op: "<", value: uuidV7Floor(before) }],
        orderBy: [{ field: "id" }],
        limit,
      }),
    options,
  );
  return deleted.dlq ?? 0;
}
