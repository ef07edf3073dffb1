/**
 * One device's OTA job as a pure fold (design §10): `queued → dispatched → downloading →
 * installing → succeeded | failed | timed_out | cancelled`, driven by inputs the `ota` processor
 * derives from events and its tick. Device reports are judged here, so duplicates and reports
 * out of order change nothing (`downloading` after `succeeded`, `downloading` after
 * `installing`), and a `succeeded` with another version than the campaign's fails the job.
 *
 * The health gate: with `healthMs`, a succeeded job is not yet settled. It fails with error
 * `health` on a critical alert of its device, or when the window ends and the device has not kept
 * reporting telemetry (its last telemetry older than half the window: it went silent); else it
 * becomes healthy. Times are epoch ms; a timeout or a health verdict happens *at* its deadline,
 * whatever the tick that noticed it, so a repeat after a crash derives the same event.
 */

export type JobStatus =
  | "queued"
  | "dispatched"
  | "downloading"
  | "installing"
  | "succeeded"
  | "failed"
  | "timed_out"
  | "cancelled";

export const FINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set([
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
]);

const RANK: Record<JobStatus, number> = {
  queued: 0,
  dispatched: 1,
  downloading: 2,
  installing: 3,
  succeeded: 4,
  failed: 4,
  timed_out: 4,
  cancelled: 4,
};

/** What the health gate needs beyond the status. */
export interface JobHealth {
  /** Success time + the window: the verdict is due then. */
  until: number;
  /** Last telemetry at or after the success (server time). */
  lastTelemetryAt?: number;
  /** The verdict: passed. (A failed verdict turns the job `failed`.) */
  passed?: true;
}

export interface JobState {
  jobId: string;
  campaignId: string;
  deviceId: string;
  wave: number;
  /** The campaign's version: a `succeeded` must carry it. */
  version: string;
  timeoutMs: number;
  healthMs?: number;
  status: JobStatus;
  progress?: number;
  error?: string;
  /** When it times out unless it finished: its wave's start (or resume) or dispatch + timeout. */
  deadline?: number;
  succeededAt?: number;
  health?: JobHealth;
}

export type JobInput =
  /** Its wave started, or its campaign resumed: the clock runs (queued jobs only). */
  | { kind: "activate"; at: number }
  | { kind: "dispatch"; at: number }
  | {
    kind: "report";
    at: number;
    status: "downloading" | "installing" | "succeeded" | "failed";
    progress?: number;
    version?: string;
    error?: string;
  }
  | { kind: "telemetry"; at: number }
  | { kind: "alert"; at: number; critical: boolean; alertId: string }
  | { kind: "cancel"; at: number; reason: "cancelled" | "aborted" }
  | { kind: "time"; now: number };

export type JobTransition =
  | { kind: "dispatched"; at: number }
  | { kind: "progress"; at: number; status: "downloading" | "installing"; progress?: number }
  | { kind: "succeeded"; at: number; version: string }
  | { kind: "failed"; at: number; error: string; detail?: string; version?: string }
  | { kind: "timed_out"; at: number; status: "queued" | "dispatched" | "downloading" | "installing" }
  | { kind: "cancelled"; at: number; reason: "cancelled" | "aborted" }
  | { kind: "healthy"; at: number };

export interface JobStep {
  state: JobState;
  transitions: JobTransition[];
}

/** A new job, queued, its clock not yet running. */
export function queuedJob(
  fields: Pick<JobState, "jobId" | "campaignId" | "deviceId" | "wave" | "version" | "timeoutMs" | "healthMs">,
): JobState {
  const { healthMs, ...rest } = fields;
  return { ...rest, ...(healthMs ? { healthMs } : {}), status: "queued" };
}

export const isFinal = (status: JobStatus) => FINAL_JOB_STATUSES.has(status);

/**
 * Settled: nothing more will happen to it. A succeeded job waiting for its health verdict is
 * finished (it counts toward abort criteria) but not settled (its wave is not done).
 */
export function isSettled(job: JobState): boolean {
  if (!isFinal(job.status)) return false;
  return job.status !== "succeeded" || job.healthMs === undefined || job.health?.passed === true;
}

const same = (state: JobState): JobStep => ({ state, transitions: [] });

function fail(state: JobState, t: Extract<JobTransition, { kind: "failed" }>): JobStep {
  const { progress: _p, deadline: _d, ...rest } = state;
  return { state: { ...rest, status: "failed", error: t.error }, transitions: [t] };
}

function onReport(state: JobState, input: Extract<JobInput, { kind: "report" }>): JobStep {
  if (isFinal(state.status)) return same(state); // late or repeated: the job is over
  const { at } = input;
  if (input.status === "failed") {
    return fail(state, {
      kind: "failed",
      at,
      error: input.error ?? "device reported failure",
      ...(input.version === undefined ? {} : { version: input.version }),
    });
  }
  if (input.status === "succeeded") {
    if (input.version !== state.version) {
      return fail(state, {
        kind: "failed",
        at,
        error: input.version === undefined
          ? `device reported success without a version (expected ${state.version})`
          : `device reported version ${input.version}, expected ${state.version}`,
        ...(input.version === undefined ? {} : { version: input.version }),
      });
    }
    const { progress: _p, deadline: _d, ...rest } = state;
    const health = state.healthMs === undefined ? {} : { health: { until: at + state.healthMs } };
    return {
      state: { ...rest, status: "succeeded", succeededAt: at, ...health },
      transitions: [{ kind: "succeeded", at, version: input.version }],
    };
  }
  // downloading / installing: forward only; the same status moves only the progress.
  if (RANK[input.status] < RANK[state.status]) return same(state);
  if (input.status === state.status && input.progress === state.progress) return same(state);
  const progress = input.progress === undefined ? {} : { progress: input.progress };
  const { progress: _p, ...rest } = state;
  return {
    state: { ...rest, status: input.status, ...progress },
    transitions: [{ kind: "progress", at, status: input.status, ...progress }],
  };
}

function onTime(state: JobState, now: number): JobStep {
  if (!isFinal(state.status)) {
    if (state.deadline === undefined || now < state.deadline) return same(state);
    const status = state.status as "queued" | "dispatched" | "downloading" | "installing";
    const { progress: _p, deadline: _d, ...rest } = state;
    return {
      state: { ...rest, status: "timed_out" },
      transitions: [{ kind: "timed_out", at: state.deadline, status }],
    };
  }
  const health = state.health;
  if (state.status !== "succeeded" || !health || health.passed || now < health.until) return same(state);
  const half = state.succeededAt! + state.healthMs! / 2;
  if (health.lastTelemetryAt !== undefined && health.lastTelemetryAt >= half) {
    return {
      state: { ...state, health: { ...health, passed: true } },
      transitions: [{ kind: "healthy", at: health.until }],
    };
  }
  return fail(state, {
    kind: "failed",
    at: health.until,
    error: "health",
    detail: health.lastTelemetryAt === undefined
      ? `no telemetry in the ${state.healthMs! / 1000} s after success`
      : `telemetry stopped ${
        (health.until - health.lastTelemetryAt) / 1000
      } s before the health window ended`,
  });
}

/** The job after `input`, with what changed (nothing, for input that does not apply). */
export function evolveJob(state: JobState, input: JobInput): JobStep {
  switch (input.kind) {
    case "activate":
      if (state.status !== "queued") return same(state);
      return same({ ...state, deadline: input.at + state.timeoutMs });
    case "dispatch":
      if (state.status !== "queued") return same(state); // re-sent: recorded once
      return {
        state: { ...state, status: "dispatched", deadline: input.at + state.timeoutMs },
        transitions: [{ kind: "dispatched", at: input.at }],
      };
    case "report":
      return onReport(state, input);
    case "telemetry": {
      const health = state.health;
      if (state.status !== "succeeded" || !health || health.passed || input.at < state.succeededAt!) {
        return same(state);
      }
      if ((health.lastTelemetryAt ?? -Infinity) >= input.at) return same(state);
      return same({ ...state, health: { ...health, lastTelemetryAt: input.at } });
    }
    case "alert": {
      const health = state.health;
      if (!input.critical || state.status !== "succeeded" || !health || health.passed) return same(state);
      if (input.at < state.succeededAt! || input.at > health.until) return same(state);
      return fail(state, {
        kind: "failed",
        at: input.at,
        error: "health",
        detail: `critical alert ${input.alertId} after success`,
      });
    }
    case "cancel": {
      if (state.status !== "queued") return same(state); // dispatched jobs run to their end
      const { deadline: _d, ...rest } = state;
      return {
        state: { ...rest, status: "cancelled" },
        transitions: [{ kind: "cancelled", at: input.at, reason: input.reason }],
      };
    }
    case "time":
      return onTime(state, input.now);
  }
}
