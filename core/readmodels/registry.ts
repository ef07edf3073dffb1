/**
 * The registered read models, in the order a batch applies them. A new read model is a folder
 * beside these and one line here; the SQL store, the in-memory fake, migrations, checkpoints and
 * `aiot rebuild <name>` all iterate over this list.
 */
import { alerts } from "./alerts/model.ts";
import { cameras } from "./cameras/model.ts";
import { commands } from "./commands/model.ts";
import type { AnyReadModel } from "./define.ts";
import { deviceMetrics } from "./device_metrics/model.ts";
import { deviceStates } from "./device_states/model.ts";
import { devices } from "./devices/model.ts";
import { dlq } from "./dlq/model.ts";
import { firmware } from "./firmware/model.ts";
import { otaCampaigns } from "./ota_campaigns/model.ts";
import { otaJobs } from "./ota_jobs/model.ts";
import { rules } from "./rules/model.ts";

export const readModels: readonly AnyReadModel[] = [
  devices,
  deviceStates,
  commands,
  dlq,
  deviceMetrics,
  rules,
  alerts,
  firmware,
  otaCampaigns,
  otaJobs,
  cameras,
];
