/**
 * @module
 * The alerts read model (open → acknowledged → cleared) and its queries.
 */
export { type AlertRow, alerts, type AlertStatus, evolveAlert } from "./model.ts";
export { getAlert, listAlerts, type ListAlertsOptions } from "./queries.ts";
