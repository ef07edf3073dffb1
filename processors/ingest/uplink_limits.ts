/**
 * Limits on device uplinks (design §6), each refusal with its own reason. Configurable per
 * deployment; these defaults are the device contract.
 */
import { DEFAULT_STATE_LIMITS, type StateLimits } from "../../core/devices/state_limits.ts";

export interface UplinkLimits extends StateLimits {
  /** Largest payload in bytes. Default 256 KiB. */
  maxPayloadBytes: number;
  /** Most metric values in one message (over all entries of an array payload). Default 1,000. */
  maxValuesPerMessage: number;
  /** Longest string value in UTF-8 bytes. Default 4 KiB. */
  maxStringBytes: number;
  /** Oldest accepted timestamp, relative to now. Default one year. */
  maxPastMs: number;
  /** Newest accepted timestamp, relative to now. Default one day. */
  maxFutureMs: number;
  /**
   * Most distinct metric names per device (each is a series, a read-model row and a line in
   * every metrics listing). Enforced when ingest is given a `MetricNameCap`. Default 1,000.
   */
  maxMetricsPerDevice: number;
}

export const DEFAULT_UPLINK_LIMITS: Readonly<UplinkLimits> = Object.freeze({
  maxPayloadBytes: 256 * 1024,
  maxValuesPerMessage: 1000,
  maxStringBytes: 4096,
  maxPastMs: 365 * 24 * 3_600_000,
  maxFutureMs: 24 * 3_600_000,
  maxMetricsPerDevice: 1000,
  ...DEFAULT_STATE_LIMITS,
});

/** Metric names: 1–128 characters of `A–Z a–z 0–9 _ . : / -`. */
export const METRIC_NAME = /^[A-Za-z0-9_.:/-]{1,128}$/;

/** Ids inside topics (device ids, command ids): no `/`, `+`, `#` or whitespace. */
export const TOPIC_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
