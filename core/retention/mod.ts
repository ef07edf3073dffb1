/**
 * @module
 * Data retention (issue 16): the policy (how long each log topic, raw time-series points, each
 * rollup level and the dead letters are kept; absent = forever), durations such as `7d` or `1y`,
 * the bounded-chunk sweeps that delete what is past it in the background, and the report that
 * `GET /api/v1/retention` answers (the effective settings and the oldest data each store holds).
 */
export {
  formatRetention,
  KEEP_EVERYTHING,
  parseRetention,
  type RetentionPolicy,
} from "./retention_policy.ts";
export {
  DEFAULT_SWEEP_CHUNK,
  scheduleSweeps,
  sweepInChunks,
  type SweepOptions,
  type SweepSchedule,
  sweepTimeSeries,
} from "./sweep.ts";
export { type RetentionReport, retentionReport, type RetentionRow } from "./report.ts";
export { sweepDeadLetters, uuidV7Floor } from "./dead_letters.ts";
