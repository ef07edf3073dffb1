/**
 * @module
 * The OTA jobs read model (one row per device and campaign) and its queries.
 */
export { evolveOtaJob, type OtaJobRow, otaJobs } from "./model.ts";
export { countOtaJobs, listOtaJobs, type ListOtaJobsOptions } from "./queries.ts";
