/**
 * The life of one camera's relay as a pure decider: facts about the relay process come in
 * (`StreamFact`: it printed its input's video, it made progress, it exited, time passed) and
 * decisions come out (`StreamAction`: start it, stop it, report the camera online or offline).
 * The supervisor in infra only runs processes and feeds facts; every "when" lives here, tested
 * with given/when/then.
 *
 * Phases: `backoff` (not running; starts again at `retryAt`) → `starting` (running, no frames
 * yet) → `online` (frames flowing). A failure in any running phase goes back to `backoff` with a
 * doubling delay; going online resets it. Reports go out only on change (status, or the reason
 * of being offline), so a camera retried every 30 s does not flood the log.
 */
import type { VideoInfo } from "./relay_log.ts";

export type StreamPhase = "backoff" | "starting" | "online";

export type ReportedStatus = { status: "online" } | { status: "offline"; reason: string };

export interface StreamState {
  phase: StreamPhase;
  /** Failures in a row since the stream was last online. */
  failures: number;
  /** When the phase began (epoch ms). */
  since: number;
  /** In `backoff`: when to start again. */
  retryAt: number;
  /** While running: the last time frames advanced. */
  lastProgressAt: number;
  /** The input's video, once the running relay printed it. */
  video?: VideoInfo;
  /** What the platform was last told, so that each change is told once. */
  reported?: ReportedStatus;
}

export type StreamFact =
  | { type: "video"; at: number; video: VideoInfo }
  | { type: "progress"; at: number }
  | { type: "exited"; at: number; reason: string }
  | { type: "tick"; at: number };

export type StreamAction =
  | { kind: "start" }
  | { kind: "stop"; reason: string }
  | { kind: "report"; status: "online"; video?: VideoInfo }
  | { kind: "report"; status: "offline"; reason: string };

export interface StreamPolicy {
  /** Codecs the relay passes on as they are (`-c copy`): WebRTC viewers must decode them. */
  supportedCodecs: readonly string[];
  /** A started relay that shows no frames within this long is failed. */
  startTimeoutMs: number;
  /** An online relay whose frames stop advancing for this long is failed. */
  stallTimeoutMs: number;
  /** The first retry delay; it doubles with each failure in a row, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_STREAM_POLICY: StreamPolicy = {
  supportedCodecs: ["h264"],
  startTimeoutMs: 20_000,
  stallTimeoutMs: 10_000,
  backoffMs: 1000,
  maxBackoffMs: 30_000,
};

/** A camera the supervisor just took on: it starts at the first tick. */
export function initialStreamState(at: number, reported?: ReportedStatus): StreamState {
  return {
    phase: "backoff",
    failures: 0,
    since: at,
    retryAt: at,
    lastProgressAt: at,
    ...(reported ? { reported } : {}),
  };
}

const sameReport = (a: ReportedStatus | undefined, b: ReportedStatus) =>
  a?.status === b.status && (a.status === "online" || a.reason === (b as { reason: string }).reason);

/** The relay failed: back off, and tell the platform why unless it was told already. */
function failed(
  state: StreamState,
  at: number,
  reason: string,
  policy: StreamPolicy,
  stop: boolean,
): { state: StreamState; actions: StreamAction[] } {
  const failures = state.failures + 1;
  const delay = Math.min(policy.backoffMs * 2 ** (failures - 1), policy.maxBackoffMs);
  const report: ReportedStatus = { status: "offline", reason };
  const { video: _video, ...rest } = state;
  return {
    state: { ...rest, phase: "backoff", failures, since: at, retryAt: at + delay, reported: report },
    actions: [
      ...(stop ? [{ kind: "stop", reason } as const] : []),
      ...(sameReport(state.reported, report) ? [] : [{ kind: "report", status: "offline", reason } as const]),
    ],
  };
}

export function decideStream(
  state: StreamState,
  fact: StreamFact,
  policy: StreamPolicy = DEFAULT_STREAM_POLICY,
): { state: StreamState; actions: StreamAction[] } {
  const unchanged = { state, actions: [] };
  switch (fact.type) {
    case "tick": {
      if (state.phase === "backoff") {
        if (fact.at < state.retryAt) return unchanged;
        const { video: _video, ...rest } = state;
        return {
          state: { ...rest, phase: "starting", since: fact.at, lastProgressAt: fact.at },
          actions: [{ kind: "start" }],
        };
      }
      if (state.phase === "starting" && fact.at - state.since >= policy.startTimeoutMs) {
        return failed(state, fact.at, `no video within ${policy.startTimeoutMs / 1000} s`, policy, true);
      }
      if (state.phase === "online" && fact.at - state.lastProgressAt >= policy.stallTimeoutMs) {
        return failed(state, fact.at, `stream stalled for ${policy.stallTimeoutMs / 1000} s`, policy, true);
      }
      return unchanged;
    }
    case "video": {
      if (state.phase === "backoff") return unchanged;
      if (!policy.supportedCodecs.includes(fact.video.codec)) {
        const supported = policy.supportedCodecs.join(", ");
        return failed(
          state,
          fact.at,
          `unsupported codec ${fact.video.codec} (supported: ${supported})`,
          policy,
          true,
        );
      }
      return { state: { ...state, video: fact.video }, actions: [] };
    }
    case "progress": {
      if (state.phase === "backoff") return unchanged;
      if (state.phase === "online") return { state: { ...state, lastProgressAt: fact.at }, actions: [] };
      if (state.video === undefined) return { state: { ...state, lastProgressAt: fact.at }, actions: [] };
      const report: ReportedStatus = { status: "online" };
      return {
        state: {
          ...state,
          phase: "online",
          failures: 0,
          since: fact.at,
          lastProgressAt: fact.at,
          reported: report,
        },
        actions: sameReport(state.reported, report)
          ? []
          : [{ kind: "report", status: "online", video: state.video }],
      };
    }
    case "exited":
      // After a stop decided here the exit is expected: the failure was handled then.
      if (state.phase === "backoff") return unchanged;
      return failed(state, fact.at, fact.reason, policy, false);
  }
}
