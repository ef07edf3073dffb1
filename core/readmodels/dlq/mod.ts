/**
 * @module
 * The dead-letter read model (`input.rejected`, written once per event id) and its listing.
 */
export { dlq, type DlqRow, dlqRowOf } from "./model.ts";
export { listDlq, type ListDlqOptions } from "./queries.ts";
