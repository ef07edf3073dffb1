/**
 * Resolving a campaign's target (`{"devices"?, "labels"?}`) to device ids from the registry read
 * model: listed devices that exist, are active and carry every label (design §10; `{}` selects
 * every active device). At creation it proves the target is not empty; at start it is resolved
 * again, and that list, sorted, is what the campaign rolls out to.
 */
import { ValidationError } from "../../core/errors.ts";
import { MAX_CAMPAIGN_DEVICES } from "../../core/events/ota.ts";
import { type DeviceRow, getDevice, listDevices, type ReadModelStore } from "../../core/readmodels/mod.ts";

export interface CampaignTarget {
  devices?: readonly string[] | undefined;
  labels?: Readonly<Record<string, string>> | undefined;
}

const matches = (device: DeviceRow, labels: Readonly<Record<string, string>>) =>
  device.status === "active" && Object.entries(labels).every(([k, v]) => device.labels[k] === v);

/** The matching device ids, sorted; throws a `ValidationError` naming `target` beyond the limit. */
export async function resolveTarget(store: ReadModelStore, target: CampaignTarget): Promise<string[]> {
  const labels = target.labels ?? {};
  const found: string[] = [];
  const tooMany = () =>
    new ValidationError(`Invalid campaign: target: matches more than ${MAX_CAMPAIGN_DEVICES} devices`, {
      details: [{ path: "target", message: `matches more than ${MAX_CAMPAIGN_DEVICES} devices` }],
    });
  if (target.devices) {
    const ids = [...new Set(target.devices)];
    for (let i = 0; i < ids.length; i += 100) {
      const rows = await Promise.all(ids.slice(i, i + 100).map((id) => getDevice(store, id)));
      for (const row of rows) if (row && matches(row, labels)) found.push(row.id);
    }
  } else {
    const [first] = Object.entries(labels);
    let cursor: string | undefined;
    do {
      const page = await listDevices(store, {
        limit: 500,
        ...(first ? { label: { key: first[0], value: first[1] } } : {}),
        ...(cursor ? { cursor } : {}),
      });
      for (const row of page.items) if (matches(row, labels)) found.push(row.id);
      if (found.length > MAX_CAMPAIGN_DEVICES) throw tooMany();
      cursor = page.next;
    } while (cursor);
  }
  if (found.length > MAX_CAMPAIGN_DEVICES) throw tooMany();
  return found.sort();
}
