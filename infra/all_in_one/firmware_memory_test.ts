/**
 * Firmware downloads hold no image in memory (design §10, issue 13): 10 devices downloading a
 * 100 MB image at once grow the serving process's resident memory by a few MB at most. Measured
 * from outside (`VmRSS` in `/proc/<pid>/status`, sampled every 20 ms) on two child processes:
 * a minimal server of the firmware route over the real file store, and the real all-in-one with
 * its embedded engines. Each download first reads 1 MiB and stalls for a second (a slow link:
 * the server must wait, not buffer), then reads the rest; every copy must hash to the image.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { bytesToBase64 } from "../../core/encoding.ts";
import { createDownloadSigner, createDownloadUrlFor, type DownloadUrlFor } from "../../core/firmware/mod.ts";
import { roleProcess } from "../faults/role_process.ts";

const IMAGE_BYTES = 100 * 1000 * 1000;
const DOWNLOADS = 10;
/** "A few MB": the bound the issue sets, with room for allocator noise. */
const MAX_GROWTH_BYTES = 8 * 1024 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rssOf(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

function patternStream(size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  const block = new Uint8Array(65_536).map((_, i) => (i * 131 + 17) & 0xff);
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close();
      const n = Math.min(block.length, size - sent);
      const chunk = block.slice(0, n);
      chunk[0] = (sent / 65_536) & 0xff; // no two chunks alike
      sent += n;
      controller.enqueue(chunk);
    },
  });
}

async function sha256Of(stream: ReadableStream<Uint8Array>): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest("hex");
}

interface Target {
  base: string;
  pid: number;
  token: string;
  downloadUrlFor: DownloadUrlFor;
}

interface Sample {
  /** Before the upload, and the peak while it streamed in. */
  upload: { before: number; peak: number };
  /** Before the downloads, and the peak while they ran. */
  baseline: number;
  peak: number;
}

/** The peak RSS of `pid` while `work` runs. */
async function peakDuring<T>(pid: number, work: Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = await rssOf(pid);
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await rssOf(pid));
      await sleep(20);
    }
  })();
  try {
    return { result: await work, peak };
  } finally {
    sampling = false;
    await sampler;
    peak = Math.max(peak, await rssOf(pid));
  }
}

/** Uploads the image, then runs the downloads while sampling RSS. */
async function measure(target: Target): Promise<Sample> {
  const expected = await sha256Of(patternStream(IMAGE_BYTES));
  const beforeUpload = await rssOf(target.pid);
  const { result: uploaded, peak: uploadPeak } = await peakDuring(
    target.pid,
    fetch(`${target.base}/api/v1/firmware?name=big&version=1`, {
      method: "POST",
      headers: { authorization: `Bearer ${target.token}`, "content-type": "application/octet-stream" },
      body: patternStream(IMAGE_BYTES),
    }),
  );
  assert.equal(uploaded.status, 201, await uploaded.clone().text());
  const image = await uploaded.json();
  assert.equal(image.sha256, expected);
  const urls = await Promise.all(
    Array.from(
      { length: DOWNLOADS },
      (_, i) => target.downloadUrlFor({ firmwareId: image.id, jobId: `job-${i}`, deviceId: `dev-${i}` }),
    ),
  );
  // One warm-up download, so lazily initialised code paths are not counted as growth.
  assert.equal(
    await sha256Of((await fetch(urls[0]!.replace(/^https?:\/\/[^/]+/, target.base))).body!),
    expected,
  );
  await sleep(1000);
  const baseline = await rssOf(target.pid);
  const { result: hashes, peak } = await peakDuring(
    target.pid,
    Promise.all(urls.map(async (url) => {
      const response = await fetch(url.replace(/^https?:\/\/[^/]+/, target.base));
      assert.equal(response.status, 200);
      const reader = response.body!.getReader();
      const hash = createHash("sha256");
      let have = 0;
      let stalled = false;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        hash.update(value);
        have += value.length;
        if (!stalled && have >= 1024 * 1024) {
          stalled = true;
          await sleep(1000);
        }
      }
      return hash.digest("hex");
    })),
  );
  assert.deepEqual(hashes, Array(DOWNLOADS).fill(expected));
  return { upload: { before: beforeUpload, peak: uploadPeak }, baseline, peak };
}

function report(name: string, { upload, baseline, peak }: Sample): void {
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  console.error(
    `${name}: RSS ${mb(upload.before)} MiB before the 100 MB upload, peak ${mb(upload.peak)} MiB during it ` +
      `(+${mb(upload.peak - upload.before)} MiB)`,
  );
  console.error(
    `${name}: RSS ${mb(baseline)} MiB before, peak ${mb(peak)} MiB during ${DOWNLOADS} × 100 MB downloads (+${
      mb(peak - baseline)
    } MiB)`,
  );
  assert.ok(peak - baseline <= MAX_GROWTH_BYTES, `${name}: RSS grew by ${mb(peak - baseline)} MiB`);
}

const key = crypto.getRandomValues(new Uint8Array(32));
const signer = await createDownloadSigner(key);

Deno.test({
  name: "firmware downloads: 10 × 100 MB at once grow a minimal server's RSS by a few MB at most",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "aiot-firmware-memory-" });
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        new URL("./_firmware_server.ts", import.meta.url).pathname,
        dir,
        bytesToBase64(key),
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    try {
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let line = "";
      while (!line.includes("\n")) line += (await reader.read()).value ?? "";
      reader.releaseLock();
      const { base, token, pid } = JSON.parse(line);
      const downloadUrlFor = createDownloadUrlFor({ signer, publicUrl: base });
      report("minimal server", await measure({ base, pid, token, downloadUrlFor }));
    } finally {
      child.kill("SIGKILL");
      await child.status;
      await child.stdout.cancel().catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "firmware downloads: 10 × 100 MB at once grow the all-in-one's RSS by a few MB at most",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const password = `admin-${crypto.randomUUID()}`;
    const aio = await roleProcess("firmware-memory", {
      AIOT_ADMIN_PASSWORD: password,
      AIOT_SECRET_KEY: bytesToBase64(key),
    });
    try {
      await aio.start();
      const login = await fetch(`${aio.base}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password }),
      });
      const { token } = await login.json();
      const downloadUrlFor = createDownloadUrlFor({ signer, publicUrl: aio.base });
      report("all-in-one", await measure({ base: aio.base, pid: aio.pid, token, downloadUrlFor }));
    } finally {
      await aio.stop();
      await Deno.remove(aio.dataDir, { recursive: true }).catch(() => {});
    }
  },
});
