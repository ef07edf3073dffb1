import assert from "node:assert/strict";
import { logExportSource } from "../../core/export/mod.ts";
import { createInMemoryEventLog } from "../../core/testing/in_memory_event_log.ts";
import { eventually } from "../../core/testing/eventually.ts";
import { createEvent } from "../../core/events/catalog.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import { createTestApp, type TestApp } from "../_test_app.ts";
import {
  appendExportScenario,
  countingLog,
  csvRows,
  type ExportScenario,
  projectScenario,
  readParquetWithPyarrow,
  type Row,
  rowKey,
} from "./_export_test_kit.ts";

const LATENESS = 30 * 60_000;

async function scenarioApp(): Promise<{ t: TestApp; s: ExportScenario }> {
  const t = await createTestApp({ latenessMs: LATENESS, now: Date.now });
  const s = await appendExportScenario(t.log, t.deps.topics);
  assert.equal(s.latenessMs, LATENESS);
  return { t, s };
}

const range = (s: ExportScenario) =>
  `from=${new Date(s.from).toISOString()}&to=${new Date(s.to).toISOString()}`;
const sorted = (rows: Row[]) => rows.map(rowKey).sort();

Deno.test("GET /export ndjson: every event of [from, to) once, cut to its points in range; late backfills by the lateness rule", async () => {
  const { t, s } = await scenarioApp();
  const response = await t.call("GET", `/api/v1/export?topic=telemetry&${range(s)}`, { as: "viewer" });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/x-ndjson; charset=utf-8");
  assert.match(
    response.headers.get("content-disposition")!,
    /^attachment; filename="aiot-telemetry-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.ndjson"$/,
  );
  const text = await response.text();
  assert.ok(text.endsWith("\n"));
  const events = text.trimEnd().split("\n").map((line) => JSON.parse(line));
  const ids = events.map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length, "each event once");
  const rows: Row[] = events.flatMap((e) =>
    e.data.values.map((p: { name: string; value: Row["value"]; ts: number }) => ({
      t: p.ts,
      deviceId: e.key,
      metric: p.name,
      value: p.value,
    }))
  );
  assert.deepEqual(sorted(rows), sorted(s.expected));
  assert.ok(rows.some((r) => r.value === 4), "a backfill appended within the lateness is in");
  assert.ok(!rows.some((r) => r.value === 5), "a backfill appended after to + lateness is not found");
  assert.ok(rows.every((r) => r.t >= s.from && r.t < s.to));
  const straddling = events.find((e) => e.data.values.some((p: { value: unknown }) => p.value === 98));
  assert.deepEqual(straddling.data.values.map((p: { value: unknown }) => p.value), [98], "cut at to");
  // Unchanged events are passed on as stored: the same envelope as appended.
  const first = s.appended.find(({ event }) => event.data.values.length === 4)!.event;
  assert.deepEqual(events.find((e) => e.id === first.id), JSON.parse(JSON.stringify(first)));
});

Deno.test("GET /export csv equals the time-series store's raw points of the range (GET /devices/{id}/telemetry)", async () => {
  const { t, s } = await scenarioApp();
  await projectScenario(t.deps.timeseries, s);
  const response = await t.call("GET", `/api/v1/export?topic=telemetry&format=csv&${range(s)}`, {
    as: "viewer",
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/csv; charset=utf-8; header=present");
  const text = await response.text();
  assert.ok(text.startsWith("time,deviceId,metric,value\r\n"));
  assert.ok(text.includes('"say ""hi"", then\nwait"'), "RFC 4180 quoting");
  assert.ok(text.includes(',"21.5"\r\n'), "a string that looks like a number stays quoted");
  const exported = csvRows(text);
  const stored: Row[] = [];
  for (const deviceId of s.devices) {
    assert.equal(
      (await t.call("POST", "/api/v1/devices", { as: "admin", body: { id: deviceId } })).status,
      201,
    );
    for (const metric of ["temp", "mode", "door", "text_number"]) {
      const q = `metric=${metric}&from=${s.from}&to=${s.to}`;
      const body = await (await t.call("GET", `/api/v1/devices/${deviceId}/telemetry?${q}`, { as: "viewer" }))
        .json();
      stored.push(
        ...body.points.map((p: { t: number; v: Row["value"] }) => ({ t: p.t, deviceId, metric, value: p.v })),
      );
    }
  }
  const late = rowKey(s.tooLate);
  assert.ok(sorted(stored).includes(late), "the store has the too-late point (projected when it came)");
  assert.deepEqual(sorted(exported), sorted(stored).filter((k) => k !== late));
});

Deno.test("GET /export parquet reads back with PyArrow: typed columns, the same rows as csv", async () => {
  const { t, s } = await scenarioApp();
  const response = await t.call("GET", `/api/v1/export?topic=telemetry&format=parquet&${range(s)}`, {
    as: "viewer",
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/vnd.apache.parquet");
  assert.match(response.headers.get("content-disposition")!, /\.parquet"$/);
  const file = await readParquetWithPyarrow(new Uint8Array(await response.arrayBuffer()));
  assert.deepEqual(file.schema, {
    time: "timestamp[ms, tz=UTC]",
    deviceId: "string",
    metric: "string",
    value: "double",
    value_text: "string",
    value_bool: "bool",
  });
  assert.ok(file.rows.every((r) => r.set === 1), "exactly one value column set per row");
  assert.deepEqual(sorted(file.rows.map(({ set: _, ...row }) => row)), sorted(s.expected));
});

Deno.test("GET /export filters by device and event types; order per device is log order", async () => {
  const { t, s } = await scenarioApp();
  const text = await (await t.call(
    "GET",
    `/api/v1/export?topic=telemetry&device=exp-d2&types=telemetry.reported&${range(s)}`,
    {
      as: "viewer",
    },
  )).text();
  const events = text.trimEnd().split("\n").map((line) => JSON.parse(line));
  assert.ok(events.length > 0 && events.every((e) => e.key === "exp-d2"));
  const appendedOrder = s.appended.filter(({ event }) => event.key === "exp-d2").sort((a, b) => a.at - b.at)
    .map(({ event }) => event.id);
  const ids = events.map((e) => e.id);
  assert.deepEqual(ids, appendedOrder.filter((id) => ids.includes(id)), "log order");
  const none = await t.call("GET", `/api/v1/export?topic=device&types=device.connected&${range(s)}`, {
    as: "viewer",
  });
  assert.equal(none.status, 200);
  assert.equal(await none.text(), "");
});

Deno.test("GET /export ndjson of the device topic never carries a credential", async () => {
  const t = await createTestApp({ now: Date.now });
  const from = Date.now() - 1000;
  const created =
    await (await t.call("POST", "/api/v1/devices", { as: "admin", body: { id: "sec-1", name: "Pump" } }))
      .json();
  assert.equal((await t.call("POST", "/api/v1/devices/sec-1/token", { as: "admin" })).status, 200);
  const to = Date.now() + 1;
  const stored: string[] = [];
  for await (const chunk of t.log.replay(t.deps.topics.device)) stored.push(...chunk.map((r) => r.value));
  assert.ok(stored.some((v) => v.includes('"credential"')), "the log holds the credential hashes");
  const text =
    await (await t.call("GET", `/api/v1/export?topic=device&from=${from}&to=${to}`, { as: "viewer" }))
      .text();
  const events = text.trimEnd().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(events.map((e) => e.type).sort(), ["device.credentials.rotated", "device.registered"]);
  assert.ok(!text.includes('credential"'), text);
  assert.ok(!text.includes("test$"), "no hash");
  assert.ok(!text.includes(created.token));
});

Deno.test("GET /export refuses bad input with 400 naming the field", async () => {
  const t = await createTestApp({ exportMaxEvents: 5, now: Date.now });
  const now = Date.now();
  const cases: [string, string][] = [
    [`topic=telemetry&from=${now}&to=${now - 1}`, "from"],
    [`topic=telemetry&from=${now - 10}&to=${now - 10}`, "from"],
    [`topic=nope&from=0&to=1`, "topic"],
    [`from=0&to=1`, "topic"],
    [`topic=telemetry&to=1`, "from"],
    [`topic=telemetry&from=yesterday&to=1`, "from"],
    [`topic=telemetry&from=0&to=1&format=xlsx`, "format"],
    [`topic=device&from=0&to=1&format=csv`, "format"],
    [`topic=alert&from=0&to=1&format=parquet`, "format"],
    [`topic=telemetry&from=0&to=1&types=no.such`, "types"],
    [`topic=telemetry&from=0&to=1&types=alert.raised`, "types"],
    [`topic=telemetry&from=0&to=1&device=a/b`, "device"],
    [`topic=telemetry&from=0&to=1&force=maybe`, "force"],
  ];
  for (const [query, field] of cases) {
    const response = await t.call("GET", `/api/v1/export?${query}`, { as: "viewer" });
    const body = await response.json();
    assert.equal(response.status, 400, query);
    assert.ok(
      body.error.details.some((d: { path: string }) => d.path.split(".")[0] === field),
      `${query}: ${JSON.stringify(body)}`,
    );
  }
  const events = Array.from(
    { length: 10 },
    (_, i) =>
      createEvent("telemetry.reported", { values: [{ name: "x", value: i, ts: now - 100 + i }] }, {
        key: "big",
        source: "test",
      }),
  );
  await t.log.append(t.deps.topics.telemetry, events.map(toLogMessage));
  const over = await t.call("GET", `/api/v1/export?topic=telemetry&from=${now - 100}&to=${now}`, {
    as: "viewer",
  });
  const body = await over.json();
  assert.equal(over.status, 400);
  assert.equal(body.error.details[0].path, "force");
  assert.match(body.error.message, /about 10 log records, over AIOT_EXPORT_MAX_EVENTS \(5\)/);
  const forced = await t.call(
    "GET",
    `/api/v1/export?topic=telemetry&from=${now - 100}&to=${now}&force=true`,
    {
      as: "viewer",
    },
  );
  assert.equal(forced.status, 200);
  assert.equal((await forced.text()).trimEnd().split("\n").length, 10);
});

Deno.test("GET /export: a client that goes away mid-export closes the log reader", async () => {
  const inner = createInMemoryEventLog();
  const { log, counts } = countingLog(inner);
  const t = await createTestApp({ exportLog: logExportSource(log), now: Date.now });
  await inner.ensureTopics(Object.values(t.deps.topics).map((name) => ({ name, partitions: 2 })));
  const from = Date.now() - 60_000;
  // 5 points a record: 100,000 rows, more than one Parquet row group (65,536 rows).
  const total = 20_000;
  for (let i = 0; i < total; i += 1000) {
    await inner.append(
      t.deps.topics.telemetry,
      Array.from(
        { length: 1000 },
        (_, j) =>
          toLogMessage(
            createEvent("telemetry.reported", {
              values: ["a", "b", "c", "d", "e"].map((name) => ({ name, value: i + j, ts: from + 1 })),
            }, {
              key: `d${(i + j) % 7}`,
              source: "test",
            }),
          ),
      ),
    );
  }
  for (const format of ["ndjson", "csv", "parquet"]) {
    const before = counts.closed;
    const readBefore = counts.read;
    const response = await t.call(
      "GET",
      `/api/v1/export?topic=telemetry&from=${from}&to=${Date.now()}&format=${format}`,
      {
        as: "viewer",
      },
    );
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    assert.equal((await reader.read()).done, false);
    await reader.cancel();
    await eventually(
      `${format}: the replay is closed`,
      () => counts.closed === before + 1 && counts.open === 0,
    );
    const read = counts.read - readBefore;
    assert.ok(read < total, `${format}: the read stopped early (${read} of ${total} records)`);
  }
});
