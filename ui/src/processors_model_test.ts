import assert from "node:assert/strict";
import { parsePrometheusText } from "./prometheus_text.ts";
import { processorProblems, processorRows } from "./processors_model.ts";

const scrape = (at: number, lines: string[]) => ({ at, samples: parsePrometheusText(lines.join("\n")) });

Deno.test("processorRows() gives lag per topic, events/s between scrapes, dead letters and health", () => {
  const first = scrape(10_000, [
    'aiot_processor_events_total{processor="projector"} 100',
    'aiot_processor_events_total{processor="rules"} 50',
  ]);
  const second = scrape(12_000, [
    'aiot_processor_events_total{processor="projector"} 300',
    'aiot_processor_events_total{processor="rules"} 10',
    'aiot_consumer_lag{processor="projector",topic="aiot.telemetry"} 7',
    'aiot_consumer_lag{processor="projector",topic="aiot.device"} 2',
    'aiot_dead_letters_total{processor="projector"} 1',
    'aiot_processor_retries_total{processor="rules"} 4',
    'aiot_processor_running{processor="projector"} 1',
    'aiot_processor_running{processor="rules"} 0',
    'aiot_processor_running{processor="ingest"} 1',
    'aiot_http_request_duration_seconds_count{route="/x"} 9',
  ]);
  const rows = processorRows(second, first, new Map([["rules", "stalled since x: db down"]]));
  assert.deepEqual(rows, [
    {
      processor: "ingest",
      lag: [],
      totalLag: 0,
      eventsTotal: 0,
      deadLetters: 0,
      retries: 0,
      health: "running",
    },
    {
      processor: "projector",
      lag: [{ topic: "aiot.device", lag: 2 }, { topic: "aiot.telemetry", lag: 7 }],
      totalLag: 9,
      eventsTotal: 300,
      eventsPerSecond: 100,
      deadLetters: 1,
      retries: 0,
      health: "running",
    },
    {
      // The counter went down (a restart): no rate rather than a negative one.
      processor: "rules",
      lag: [],
      totalLag: 0,
      eventsTotal: 10,
      deadLetters: 0,
      retries: 4,
      health: "not running",
      problem: "stalled since x: db down",
    },
  ]);
});

Deno.test("processorRows() without an earlier scrape has no rate", () => {
  const [row] = processorRows(scrape(1, ['aiot_processor_events_total{processor="p"} 5']));
  assert.equal(row!.eventsPerSecond, undefined);
  assert.equal(row!.health, "unknown");
});

Deno.test("processorProblems() splits the readiness detail by processor, reasons with '; ' intact", () => {
  const detail = "rules stalled since 2026-01-01T00:00:00.000Z (3 failed attempts): timeout; retrying; " +
    "projector.read failed at 2026-01-01T00:00:01.000Z: log closed";
  assert.deepEqual(
    Object.fromEntries(processorProblems(detail, ["projector.read", "rules", "ingest"])),
    {
      rules: "stalled since 2026-01-01T00:00:00.000Z (3 failed attempts): timeout; retrying",
      "projector.read": "failed at 2026-01-01T00:00:01.000Z: log closed",
    },
  );
  assert.equal(processorProblems("", ["rules"]).size, 0);
});
