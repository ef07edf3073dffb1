import assert from "node:assert/strict";
import type { VideoInfo } from "./relay_log.ts";
import {
  decideStream,
  DEFAULT_STREAM_POLICY as policy,
  initialStreamState,
  type StreamAction,
  type StreamFact,
  type StreamState,
} from "./stream_state.ts";

const T0 = Date.parse("2026-11-30T10:00:00Z");
const h264 = { codec: "h264", width: 1280, height: 720 };

/** given facts, when a fact, then these actions (and the state after all of them). */
function given(facts: StreamFact[], from: StreamState = initialStreamState(T0)) {
  const state = facts.reduce((s, f) => decideStream(s, f, policy).state, from);
  return {
    when(fact: StreamFact) {
      const next = decideStream(state, fact, policy);
      return {
        then(actions: StreamAction[], check?: (s: StreamState) => void) {
          assert.deepEqual(next.actions, actions);
          check?.(next.state);
        },
      };
    },
  };
}

const tick = (ms: number): StreamFact => ({ type: "tick", at: T0 + ms });
const video = (ms: number, v: VideoInfo = h264): StreamFact => ({ type: "video", at: T0 + ms, video: v });
const progress = (ms: number): StreamFact => ({ type: "progress", at: T0 + ms });
const exited = (ms: number, reason: string): StreamFact => ({ type: "exited", at: T0 + ms, reason });

Deno.test("a new camera starts at the first tick", () => {
  given([]).when(tick(0)).then([{ kind: "start" }], (s) => assert.equal(s.phase, "starting"));
});

Deno.test("frames after the video line report the camera online once", () => {
  given([tick(0), video(500)]).when(progress(1000)).then(
    [{ kind: "report", status: "online", video: h264 }],
    (s) => assert.equal(s.phase, "online"),
  );
  given([tick(0), video(500), progress(1000)]).when(progress(2000)).then([]);
});

Deno.test("a relay that fails is reported offline with its reason and retried with a doubling delay", () => {
  given([tick(0)]).when(exited(100, "unreachable host (connection refused)")).then(
    [{ kind: "report", status: "offline", reason: "unreachable host (connection refused)" }],
    (s) => assert.equal(s.retryAt, T0 + 100 + policy.backoffMs),
  );
  // the same failure again: retried later, not reported again
  given([tick(0), exited(100, "unreachable host (connection refused)"), tick(1100)])
    .when(exited(1200, "unreachable host (connection refused)"))
    .then([], (s) => assert.equal(s.retryAt, T0 + 1200 + 2 * policy.backoffMs));
  // not before retryAt
  given([tick(0), exited(100, "x")]).when(tick(500)).then([]);
  given([tick(0), exited(100, "x")]).when(tick(1100)).then([{ kind: "start" }]);
});

Deno.test("the delay stops growing at maxBackoffMs and resets once online", () => {
  let facts: StreamFact[] = [];
  let at = 0;
  for (let i = 0; i < 10; i++) {
    facts = [...facts, tick(at), exited(at + 1, "down")];
    at += policy.maxBackoffMs + 10;
  }
  given(facts).when(tick(at)).then([{ kind: "start" }]);
  given([...facts, tick(at)]).when(exited(at + 1, "down"))
    .then([], (s) => assert.equal(s.retryAt - s.since, policy.maxBackoffMs));
  given([...facts, tick(at), video(at + 1), progress(at + 2), exited(at + 3, "down")])
    .when(tick(at + 3 + policy.backoffMs))
    .then([{ kind: "start" }]);
});

Deno.test("an unsupported codec stops the relay and reports it offline, naming the codec", () => {
  given([tick(0)]).when(video(300, { codec: "hevc", width: 320, height: 240 })).then([
    { kind: "stop", reason: "unsupported codec hevc (supported: h264)" },
    { kind: "report", status: "offline", reason: "unsupported codec hevc (supported: h264)" },
  ], (s) => assert.equal(s.phase, "backoff"));
  // its exit afterwards is expected: nothing more
  given([tick(0), video(300, { codec: "hevc" })]).when(exited(400, "killed")).then([]);
});

Deno.test("no frames within startTimeoutMs, or frames that stop, fail the relay", () => {
  given([tick(0)]).when(tick(policy.startTimeoutMs)).then([
    { kind: "stop", reason: "no video within 20 s" },
    { kind: "report", status: "offline", reason: "no video within 20 s" },
  ]);
  given([tick(0), video(1), progress(2)]).when(tick(2 + policy.stallTimeoutMs - 1)).then([]);
  given([tick(0), video(1), progress(2)]).when(tick(2 + policy.stallTimeoutMs)).then([
    { kind: "stop", reason: "stream stalled for 10 s" },
    { kind: "report", status: "offline", reason: "stream stalled for 10 s" },
  ]);
});

Deno.test("after a restart, a camera the platform already knows online is not reported online again", () => {
  given([tick(0), video(1)], initialStreamState(T0, { status: "online" })).when(progress(2)).then([]);
  given([tick(0), video(1)], initialStreamState(T0, { status: "offline", reason: "x" })).when(progress(2))
    .then([{ kind: "report", status: "online", video: h264 }]);
});
