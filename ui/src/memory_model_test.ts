import assert from "node:assert/strict";
import { parsePrometheusText } from "./prometheus_text.ts";
import { memorySummary, memoryText } from "./memory_model.ts";

Deno.test("memorySummary() reads the process RSS and each thread's heap, main thread first", () => {
  const samples = parsePrometheusText(`# TYPE aiot_process_resident_memory_bytes gauge
aiot_process_resident_memory_bytes 327155712
# TYPE aiot_heap_used_bytes gauge
aiot_heap_used_bytes{thread="projection-thread"} 41943040
aiot_heap_used_bytes{thread="main"} 83886080
# TYPE aiot_heap_total_bytes gauge
aiot_heap_total_bytes{thread="projection-thread"} 62914560
aiot_heap_total_bytes{thread="main"} 125829120
# TYPE aiot_connected_devices gauge
aiot_connected_devices 3
`);
  const summary = memorySummary(samples);
  assert.equal(summary.residentBytes, 327155712);
  assert.deepEqual(summary.threads.map((t) => t.thread), ["main", "projection-thread"]);
  assert.equal(
    memoryText(summary),
    "RSS 312 MiB · main heap 80 of 120 MiB · projection-thread heap 40 of 60 MiB",
  );
});

Deno.test("memoryText() is empty when /metrics has no memory gauges (an older platform)", () => {
  assert.equal(memoryText(memorySummary(parsePrometheusText("aiot_connected_devices 3\n"))), "");
});
