/**
 * `GET /stream?from=` at the hub over the in-memory log; the same cases run on the SQLite log and
 * Kafka in infra/all_in_one/stream_from_e2e_test.ts.
 */
import { createInMemoryEventLog } from "../../core/testing/in_memory_event_log.ts";
import { streamFromSeamCase, streamFromTooOldCase } from "./_stream_from_case.ts";

const TOPICS = { telemetry: "aiot.telemetry", device: "aiot.device" };

Deno.test("live hub: from= replays from that time, then live: no gap, no repeat, usual tokens", async () => {
  const log = createInMemoryEventLog();
  await streamFromSeamCase(log, TOPICS);
  await log.close();
});

Deno.test("live hub: a from= further back than maxResumeEvents is refused with resume_too_old", async () => {
  const log = createInMemoryEventLog();
  await streamFromTooOldCase(log, TOPICS);
  await log.close();
});
