/** Typed queries of the OTA campaigns read model. */
import { listPage } from "../pagination.ts";
import type { Page, ReadModelStore } from "../store.ts";
import { type OtaCampaignRow, otaCampaigns } from "./model.ts";

export function getOtaCampaign(store: ReadModelStore, id: string): Promise<OtaCampaignRow | undefined> {
  return store.get(otaCampaigns, id);
}

/** Campaigns newest first (ids are UUIDv7 unless given). */
export function listOtaCampaigns(
  store: ReadModelStore,
  options: { cursor?: string | undefined; limit?: number | undefined } = {},
): Promise<Page<OtaCampaignRow>> {
  return listPage(store, otaCampaigns, { descending: true, cursor: options.cursor, limit: options.limit });
}

/** Whether a campaign that is not over yet uses the firmware (`DELETE /firmware/{id}` answers 409). */
export async function firmwareInUse(store: ReadModelStore, firmwareId: string): Promise<boolean> {
  const rows = await store.list(otaCampaigns, {
    where: [
      { field: "firmwareId", op: "=", value: firmwareId },
      { field: "status", op: "in", value: ["created", "running", "paused"] },
    ],
    orderBy: [{ field: "id" }],
    limit: 1,
  });
  return rows.length > 0;
}
