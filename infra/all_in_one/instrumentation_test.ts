import assert from "node:assert/strict";
import { createInMemoryEventLog } from "../../core/testing/in_memory_event_log.ts";
import { instrument } from "./instrumentation.ts";

const NOW = Date.parse("2026-11-28T12:00:00.000Z");

const batch = (processor: string, eventTimes: number[]) => ({
  processor,
  topic: "aiot.telemetry",
  partition: 0,
  events: eventTimes.length,
  ms: 1,
  at: NOW,
  eventTimes,
});

Deno.test("instrument() records how old each stored event was, per processor, in fine buckets", () => {
  const { hooks, metrics } = instrument(createInMemoryEventLog());
  // Ages 3 ms, 40 ms and 1.5 s for the time series; a device clock 2 s ahead counts as 0.
  hooks.onBatch!(batch("timeseries", [NOW - 3, NOW - 40, NOW - 1_500]));
  hooks.onBatch!(batch("readmodels", [NOW + 2_000]));
  hooks.onBatch!(batch("readmodels", []));
  const text = metrics.render();
  const bucket = (processor: string, le: string) =>
    Number(
      text.match(
        new RegExp(
          `aiot_event_age_seconds_bucket\\{processor="${processor}",le="${le.replace("+", "\\+")}"\\} (\\d+)`,
        ),
      )?.[1],
    );
  assert.match(text, /# TYPE aiot_event_age_seconds histogram/);
  assert.equal(bucket("timeseries", "0.002"), 0);
  assert.equal(bucket("timeseries", "0.005"), 1);
  assert.equal(bucket("timeseries", "0.02"), 1);
  assert.equal(bucket("timeseries", "0.05"), 2);
  assert.equal(bucket("timeseries", "1"), 2);
  assert.equal(bucket("timeseries", "2"), 3);
  assert.equal(bucket("timeseries", "120"), 3);
  assert.equal(bucket("timeseries", "+Inf"), 3);
  assert.match(text, /aiot_event_age_seconds_sum\{processor="timeseries"\} 1.543\n/);
  assert.equal(bucket("readmodels", "0.001"), 1);
  assert.match(text, /aiot_event_age_seconds_count\{processor="readmodels"\} 1\n/);
});
