/** Typed queries of the OTA jobs read model. */
import { countOf, emptyCounts, type JobCounts } from "../../ota/mod.ts";
import { listPage } from "../pagination.ts";
import type { Page, ReadModelStore, RowFilter } from "../store.ts";
import { type OtaJobRow, otaJobs } from "./model.ts";
import type { JobStatus } from "../../ota/mod.ts";

export interface ListOtaJobsOptions {
  status?: JobStatus;
  cursor?: string;
  /** Default 50, at most 500. */
  limit?: number;
}

/** The jobs of a campaign by job id. */
export function listOtaJobs(
  store: ReadModelStore,
  campaignId: string,
  options: ListOtaJobsOptions = {},
): Promise<Page<OtaJobRow>> {
  const where: RowFilter<OtaJobRow>[] = [{ field: "campaignId", op: "=", value: campaignId }];
  if (options.status) where.push({ field: "status", op: "=", value: options.status });
  return listPage(store, otaJobs, { where, cursor: options.cursor, limit: options.limit });
}

/** How many of a campaign's jobs are in each state (`GET /ota/campaigns/{id}` `counts`). */
export async function countOtaJobs(store: ReadModelStore, campaignId: string): Promise<JobCounts> {
  const counts = emptyCounts();
  let after: string | undefined;
  // In pages, so a large campaign is never one huge result.
  for (;;) {
    const rows = await store.list(otaJobs, {
      where: [
        { field: "campaignId", op: "=", value: campaignId },
        ...(after === undefined ? [] : [{ field: "jobId" as const, op: ">" as const, value: after }]),
      ],
      orderBy: [{ field: "jobId" }],
      limit: 5000,
    });
    for (const row of rows) counts[countOf(row.status)]++;
    if (rows.length < 5000) return counts;
    after = rows[rows.length - 1]!.jobId;
  }
}
