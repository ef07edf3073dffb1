/**
 * @module
 * The OTA campaigns read model (settings, status, waves) and its queries.
 */
export {
  evolveOtaCampaign,
  type OtaCampaignRow,
  otaCampaigns,
  type WaveStatus,
  type WaveView,
} from "./model.ts";
export { firmwareInUse, getOtaCampaign, listOtaCampaigns } from "./queries.ts";
