import assert from "node:assert/strict";
import { createEvent, eventCatalog } from "../events/catalog.ts";
import { toLogMessage } from "../events/codec.ts";
import type { LogRecord } from "../log/event_log.ts";
import type { ExportQuery } from "./export_query.ts";
import { selectLines, selectRows } from "./select.ts";

const T = Date.UTC(2026, 0, 1);
const query = (over: Partial<ExportQuery> = {}): ExportQuery => ({
  topic: "telemetry",
  from: T,
  to: T + 1000,
  format: "ndjson",
  force: false,
  ...over,
});

let offset = 0;
function record(message: { key: string; value: string; headers?: Record<string, string> }): LogRecord {
  return {
    topic: "aiot.telemetry",
    partition: 0,
    offset: offset++,
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
    timestamp: T,
  };
}

const reading = (values: { name: string; value: number | string | boolean; ts: number }[], key = "d1") =>
  createEvent("telemetry.reported", { values }, { key, source: "test", now: () => T });

Deno.test("selectLines() passes stored text on only when every point is in range, and cuts the others", () => {
  const inside = reading([{ name: "t", value: 1, ts: T }, { name: "t", value: 2, ts: T + 999 }]);
  const straddling = reading([{ name: "t", value: 3, ts: T + 999 }, { name: "t", value: 4, ts: T + 1000 }]);
  // A string value holding the text the fast path looks for: escaped in JSON, so never mistaken.
  const tricky = reading([{ name: "s", value: 'x","ts":1,"y', ts: T + 5 }]);
  const outside = reading([{ name: "t", value: 5, ts: T - 1 }]);
  const records = [inside, straddling, tricky, outside].map((e) => record(toLogMessage(e)));
  const lines = selectLines(records, query());
  assert.equal(lines.length, 3);
  assert.equal(lines[0], records[0]!.value, "stored text, unchanged");
  assert.deepEqual(JSON.parse(lines[1]!).data.values.map((p: { value: number }) => p.value), [3]);
  assert.equal(lines[2], records[2]!.value);
});

Deno.test("selectLines() upcasts an old version, withholds unknown types and unreadable records", () => {
  const current = eventCatalog["telemetry.reported"].version;
  const v1 = {
    id: "01900000-0000-7000-8000-000000000001",
    type: "telemetry.reported",
    v: 1,
    key: "d1",
    time: new Date(T).toISOString(),
    ingestedAt: new Date(T).toISOString(),
    source: "ingest",
    data: { values: [{ name: "t", value: 1, ts: T + 1 }] },
  };
  const records = [
    record({
      key: "d1",
      value: JSON.stringify(v1),
      headers: { "event-type": "telemetry.reported", "event-v": "1" },
    }),
    record({
      key: "d1",
      value: JSON.stringify({ ...v1, type: "telemetry.future" }),
      headers: { "event-type": "telemetry.future" },
    }),
    record({ key: "d1", value: "{not json" }),
  ];
  const lines = selectLines(records, query());
  assert.equal(lines.length, 1);
  const event = JSON.parse(lines[0]!);
  assert.equal(event.v, current);
  assert.equal(event.data.values[0].ts, T + 1);
});

Deno.test("selectRows() filters by device and types, keeps value types and batch order", () => {
  const a = reading([{ name: "n", value: 1.5, ts: T }, { name: "s", value: "21.5", ts: T }, {
    name: "b",
    value: false,
    ts: T,
  }]);
  const b = reading([{ name: "n", value: 2, ts: T + 1 }], "d2");
  const records = [a, b].map((e) => record(toLogMessage(e)));
  assert.deepEqual(selectRows(records, query({ device: "d1" })), [
    { t: T, deviceId: "d1", metric: "n", value: 1.5 },
    { t: T, deviceId: "d1", metric: "s", value: "21.5" },
    { t: T, deviceId: "d1", metric: "b", value: false },
  ]);
  assert.equal(selectRows(records, query()).length, 4);
  assert.deepEqual(selectRows(records, query({ types: [] as never })), []);
  const noHeaders = records.map((r) => ({ ...r, headers: {} }));
  assert.equal(selectRows(noHeaders, query({ types: ["telemetry.reported"] })).length, 4);
});
