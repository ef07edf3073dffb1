import assert from "node:assert/strict";
import { eventTypeNames } from "../../core/events/type_names.ts";
import {
  exportPath,
  familyOf,
  filenameOf,
  formatsOf,
  openEnvelopeCursor,
  readNdjson,
} from "./export_client.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/** A body of `chunks` that records how many were pulled and whether it was cancelled. */
function body(chunks: string[]) {
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[seen.pulled++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(bytes(chunk));
    },
    cancel() {
      seen.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, seen };
}

Deno.test("readNdjson() yields each line once complete, across chunk boundaries", async () => {
  const { stream } = body(['{"a":1}\n{"b"', ':2}\n\n{"c":"é', '"}']);
  const lines: unknown[] = [];
  for await (const line of readNdjson(stream)) lines.push(line);
  assert.deepEqual(lines, [{ a: 1 }, { b: 2 }, { c: "é" }]);
});

Deno.test("openEnvelopeCursor() reads only as far as asked and cancels the body on close", async () => {
  const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: `e${i}` }) + "\n");
  const { stream, seen } = body(lines);
  const requested: string[] = [];
  const fakeFetch = ((input: string) => {
    requested.push(input);
    return Promise.resolve(new Response(stream, { headers: { "content-type": "application/x-ndjson" } }));
  }) as typeof fetch;
  const cursor = openEnvelopeCursor(
    { topic: "telemetry", device: "d1", from: "2026-01-01T00:00:00.000Z" },
    fakeFetch,
  );
  const first = await cursor.next(3);
  assert.deepEqual(first.items.map((e) => e.id), ["e0", "e1", "e2"]);
  assert.equal(first.done, false);
  assert.ok(seen.pulled <= 4, `pulled ${seen.pulled} chunks for 3 lines`);
  const second = await cursor.next(2);
  assert.deepEqual(second.items.map((e) => e.id), ["e3", "e4"]);
  cursor.close();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(seen.cancelled, true);
  assert.deepEqual(requested, [
    "/api/v1/export?topic=telemetry&from=2026-01-01T00%3A00%3A00.000Z&device=d1&format=ndjson&force=true",
  ]);
});

Deno.test("openEnvelopeCursor() says done at the end of the range", async () => {
  const { stream } = body(['{"id":"a"}\n']);
  const cursor = openEnvelopeCursor({ topic: "dlq" }, () => Promise.resolve(new Response(stream)));
  assert.deepEqual(await cursor.next(5), { items: [{ id: "a" }], done: true });
});

Deno.test("openEnvelopeCursor() turns an error answer into an ApiError with its message", async () => {
  const answer = new Response(
    JSON.stringify({ error: { code: "bad_request", message: "from is after to" } }),
    {
      status: 400,
    },
  );
  const cursor = openEnvelopeCursor({ topic: "device" }, () => Promise.resolve(answer));
  await assert.rejects(cursor.next(1), { name: "ApiError", status: 400, message: "from is after to" });
});

Deno.test("exportPath() and formatsOf() follow design §11", () => {
  assert.equal(
    exportPath({
      topic: "alert",
      types: ["alert.raised", "alert.cleared"],
      to: "2026-01-02T00:00:00Z",
      format: "ndjson",
    }),
    "/api/v1/export?topic=alert&to=2026-01-02T00%3A00%3A00Z&types=alert.raised%2Calert.cleared&format=ndjson",
  );
  assert.deepEqual(formatsOf("telemetry"), ["ndjson", "csv", "parquet"]);
  assert.deepEqual(formatsOf("command"), ["ndjson"]);
});

Deno.test("filenameOf() reads plain and RFC 5987 filenames", () => {
  assert.equal(filenameOf('attachment; filename="telemetry.csv"'), "telemetry.csv");
  assert.equal(filenameOf("attachment; filename=a.ndjson"), "a.ndjson");
  assert.equal(filenameOf("attachment; filename*=UTF-8''t%C3%A9l.parquet"), "tél.parquet");
  assert.equal(filenameOf(null), undefined);
  assert.equal(filenameOf("inline"), undefined);
});

Deno.test("familyOf() knows the topic of every event type in the catalog", () => {
  for (const type of eventTypeNames) assert.ok(familyOf(type), `no topic for ${type}`);
  assert.equal(familyOf("telemetry.reported"), "telemetry");
  assert.equal(familyOf("firmware.published"), "ota");
  assert.equal(familyOf("rule.defined"), "alert");
  assert.equal(familyOf("input.rejected"), "dlq");
  assert.equal(familyOf("nothing.known"), undefined);
  assert.equal(familyOf("constructor.x"), undefined);
});
