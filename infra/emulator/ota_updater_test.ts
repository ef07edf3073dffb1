import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { type OtaBehaviour, type OtaJob, type OtaReport, parseOtaJob, playOtaJob } from "./ota_updater.ts";

const IMAGE = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 0xff);
const SHA = createHash("sha256").update(IMAGE).digest("hex");
const job: OtaJob = {
  jobId: "job-1",
  version: "2.0.0",
  url: "http://fw.test/x?sig=1",
  sha256: SHA,
  size: IMAGE.length,
};

/**
 * A firmware server in a function: serves IMAGE in 10 kB chunks with `Range`; `cutAfter` bytes
 * into the first `cuts` responses the stream errors (a dropped link).
 */
function fakeServer(
  options: { cuts?: number; cutAfter?: number; status?: number; ignoreRange?: boolean } = {},
) {
  const requests: (string | null)[] = [];
  let cuts = options.cuts ?? 0;
  const fetch = (_url: string | URL | Request, init?: RequestInit) => {
    const range = new Headers(init?.headers).get("range");
    requests.push(range);
    if (options.status) return Promise.resolve(new Response("no", { status: options.status }));
    const start = range && !options.ignoreRange ? Number(/bytes=(\d+)-/.exec(range)![1]) : 0;
    const cutAt = cuts-- > 0 ? start + (options.cutAfter ?? 35_000) : Infinity;
    let at = start;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= cutAt) return controller.error(new TypeError("connection reset"));
        if (at >= IMAGE.length) return controller.close();
        const end = Math.min(at + 10_000, IMAGE.length, cutAt);
        controller.enqueue(IMAGE.slice(at, end));
        at = end;
      },
    });
    const headers = start > 0
      ? { "content-range": `bytes ${start}-${IMAGE.length - 1}/${IMAGE.length}` }
      : undefined;
    return Promise.resolve(
      new Response(body, { status: start > 0 ? 206 : 200, ...(headers ? { headers } : {}) }),
    );
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

async function play(behaviour: OtaBehaviour, which: OtaJob = job) {
  const reports: OtaReport[] = [];
  const outcome = await playOtaJob(which, (r) => Promise.resolve(void reports.push(r)), {
    sleep: () => Promise.resolve(),
    ...behaviour,
  });
  return { outcome, reports, statuses: reports.map((r) => r.progress ?? r.status) };
}

Deno.test("playOtaJob() downloads, verifies and reports progress, installing and the version", async () => {
  const server = fakeServer();
  const { outcome, reports, statuses } = await play({ fetch: server.fetch });
  assert.equal(outcome, "succeeded");
  assert.deepEqual(statuses, [0, 25, 50, 75, 100, "installing", "succeeded"]);
  assert.deepEqual(reports.at(-1), { jobId: "job-1", status: "succeeded", version: "2.0.0" });
  assert.deepEqual(server.requests, [null]);
});

Deno.test("playOtaJob() resumes a cut download with Range from the byte it reached", async () => {
  const server = fakeServer({ cuts: 2, cutAfter: 35_000 });
  const { outcome, statuses } = await play({ fetch: server.fetch });
  assert.equal(outcome, "succeeded");
  assert.deepEqual(server.requests, [null, "bytes=35000-", "bytes=70000-"]);
  assert.deepEqual(statuses, [0, 25, 50, 75, 100, "installing", "succeeded"]);
});

Deno.test("playOtaJob() starts over when the server ignores Range, and still verifies", async () => {
  const server = fakeServer({ cuts: 1, ignoreRange: true });
  const { outcome } = await play({ fetch: server.fetch });
  assert.equal(outcome, "succeeded");
  assert.deepEqual(server.requests, [null, "bytes=35000-"]);
});

Deno.test("playOtaJob() gives up after maxResumes cuts and reports the error", async () => {
  const server = fakeServer({ cuts: 10, cutAfter: 5_000 });
  const { outcome, reports } = await play({ fetch: server.fetch, maxResumes: 2 });
  assert.equal(outcome, "failed");
  assert.equal(server.requests.length, 3);
  assert.deepEqual(reports.at(-1), { jobId: "job-1", status: "failed", error: "connection reset" });
});

Deno.test("playOtaJob() fails on a refused URL, a wrong sha256 and a wrong size, without installing", async () => {
  const refused = await play({ fetch: fakeServer({ status: 403 }).fetch });
  assert.deepEqual([refused.outcome, refused.reports.at(-1)?.error], ["failed", "download: HTTP 403"]);
  const tampered = await play({ fetch: fakeServer().fetch }, { ...job, sha256: "0".repeat(64) });
  assert.deepEqual([tampered.outcome, tampered.reports.at(-1)?.error], [
    "failed",
    `sha256 mismatch: got ${SHA}`,
  ]);
  const longer = await play({ fetch: fakeServer().fetch }, { ...job, size: 200_000 });
  assert.equal(longer.reports.at(-1)?.error, "download: 100000 bytes, expected 200000");
  const shorter = await play({ fetch: fakeServer().fetch }, { ...job, size: 50_000 });
  assert.equal(shorter.reports.at(-1)?.error, "download: more than the 50000 bytes announced");
  for (const r of [refused, tampered, longer, shorter]) assert.ok(!r.statuses.includes("installing"));
});

Deno.test("playOtaJob() fails the install at the failure rate and bricks at the brick rate", async () => {
  const rolls = (...values: number[]) => () => values.shift()!;
  const failed = await play({ fetch: fakeServer().fetch, failureRate: 0.5, random: rolls(0.4) });
  assert.equal(failed.outcome, "failed");
  assert.deepEqual(failed.statuses.slice(-2), ["installing", "failed"]);
  assert.equal(failed.reports.at(-1)?.error, "install failed (emulated failure rate)");
  const bricked = await play({
    fetch: fakeServer().fetch,
    failureRate: 0.5,
    brickRate: 0.5,
    random: rolls(0.6, 0.2),
  });
  assert.equal(bricked.outcome, "bricked");
  assert.equal(bricked.reports.at(-1)?.status, "succeeded", "a bricked device reports success first");
  const fine = await play({
    fetch: fakeServer().fetch,
    failureRate: 0.5,
    brickRate: 0.5,
    random: rolls(0.6, 0.7),
  });
  assert.equal(fine.outcome, "succeeded");
});

Deno.test("parseOtaJob() reads the §6 downlink and refuses a malformed one", () => {
  assert.deepEqual(parseOtaJob({ ...job, sha256: SHA.toUpperCase() }), job);
  assert.equal(parseOtaJob({ ...job, size: "1" }), undefined);
  assert.equal(parseOtaJob({ jobId: "j" }), undefined);
  assert.equal(parseOtaJob(null), undefined);
});
