/**
 * How an emulated device plays an OTA job (design §6, §10): it really downloads the job's signed
 * URL, hashing the bytes as they stream in (an image is never held in memory), resumes a cut
 * download with `Range` from the byte it reached, checks size and sha256, then "installs". It
 * reports `downloading` (with progress), `installing`, and `succeeded` with the job's version or
 * `failed` with an error. Two knobs make the failures operators must survive: `failureRate` (the
 * install fails) and `brickRate` (the device reports success, then goes silent — the health gate's
 * case). Fetch, sleep and randomness are injected, so tests are deterministic.
 */
import { createHash } from "node:crypto";

/** The `devices/{id}/ota` downlink. */
export interface OtaJob {
  jobId: string;
  version: string;
  url: string;
  sha256: string;
  size: number;
}

/** One `devices/{id}/ota/status` uplink. */
export interface OtaReport {
  jobId: string;
  status: "downloading" | "installing" | "succeeded" | "failed";
  progress?: number;
  version?: string;
  error?: string;
}

/** `bricked`: reported `succeeded`, and the device must stop sending telemetry from now on. */
export type OtaOutcome = "succeeded" | "failed" | "bricked";

/** Waits `ms`; rejects when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface OtaBehaviour {
  /** Share of jobs whose install fails (reported `failed`), 0–1. Default 0. */
  failureRate?: number;
  /** Share of jobs that report `succeeded`, then the device stops its telemetry, 0–1. Default 0. */
  brickRate?: number;
  /** How long installing takes. Default 500 ms. */
  installMs?: number;
  /** Attempts to resume a cut download before giving up. Default 3. */
  maxResumes?: number;
  /** A `downloading` report each time progress crosses this many percent. Default 25. */
  progressStep?: number;
  random?: () => number;
  fetch?: typeof fetch;
  sleep?: Sleep;
}

/** Reads a downlink; `undefined` when a field is missing or malformed (nothing to play). */
export function parseOtaJob(body: unknown): OtaJob | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { jobId, version, url, sha256, size } = body as Record<string, unknown>;
  if (typeof jobId !== "string" || typeof version !== "string" || typeof url !== "string") return undefined;
  if (typeof sha256 !== "string" || typeof size !== "number" || !(size >= 0)) return undefined;
  return { jobId, version, url, sha256: sha256.toLowerCase(), size };
}

const defaultSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", stop, { once: true });
  });

class DownloadError extends Error {}

/**
 * Streams `job.url` through sha256, resuming with `Range` after a cut. Resolves with the digest
 * and size; throws `DownloadError` for what a retry cannot fix (HTTP status, wrong length).
 */
async function download(
  job: OtaJob,
  onBytes: (received: number) => Promise<void>,
  options: {
    fetch: typeof fetch;
    maxResumes: number;
    signal?: AbortSignal;
    sleep: Sleep;
  },
): Promise<{ sha256: string; size: number }> {
  let hash = createHash("sha256");
  let received = 0;
  for (let attempt = 0;; attempt++) {
    try {
      const response = await options.fetch(job.url, {
        ...(received > 0 ? { headers: { range: `bytes=${received}-` } } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (received > 0 && response.status === 200) {
        // The server ignored the range: start over rather than hash a byte twice.
        hash = createHash("sha256");
        received = 0;
      } else if (received > 0 && response.status === 206) {
        const start = /^bytes (\d+)-/.exec(response.headers.get("content-range") ?? "")?.[1];
        if (Number(start) !== received) {
          await response.body?.cancel();
          throw new DownloadError(`download: resumed at byte ${start}, expected ${received}`);
        }
      } else if (!response.ok) {
        await response.body?.cancel();
        throw new DownloadError(`download: HTTP ${response.status}`);
      }
      if (!response.body) throw new DownloadError("download: empty response");
      for await (const chunk of response.body) {
        hash.update(chunk);
        received += chunk.length;
        if (received > job.size) {
          throw new DownloadError(`download: more than the ${job.size} bytes announced`);
        }
        await onBytes(received);
      }
      return { sha256: hash.digest("hex"), size: received };
    } catch (error) {
      if (error instanceof DownloadError || options.signal?.aborted || attempt >= options.maxResumes) {
        throw error;
      }
      await options.sleep(Math.min(2000, 100 * 2 ** attempt), options.signal);
    }
  }
}

/**
 * Plays one job to its end, sending each report through `report` (awaited, so reports stay in
 * order). Never throws for the job's own failures — they are reported `failed`; only an abort
 * (the device was stopped) rejects.
 */
export async function playOtaJob(
  job: OtaJob,
  report: (report: OtaReport) => Promise<void>,
  behaviour: OtaBehaviour = {},
  signal?: AbortSignal,
): Promise<OtaOutcome> {
  const random = behaviour.random ?? Math.random;
  const sleep = behaviour.sleep ?? defaultSleep;
  const step = behaviour.progressStep ?? 25;
  const { jobId } = job;
  let reported = 0;
  await report({ jobId, status: "downloading", progress: 0 });
  let got: { sha256: string; size: number };
  try {
    got = await download(job, async (received) => {
      const progress = job.size > 0 ? Math.floor((received / job.size) * 100) : 100;
      if (progress >= reported + step) {
        reported = progress - (progress % step);
        await report({ jobId, status: "downloading", progress: reported });
      }
    }, {
      fetch: behaviour.fetch ?? fetch,
      maxResumes: behaviour.maxResumes ?? 3,
      sleep,
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    await report({ jobId, status: "failed", error: error instanceof Error ? error.message : String(error) });
    return "failed";
  }
  if (got.size !== job.size) {
    await report({ jobId, status: "failed", error: `download: ${got.size} bytes, expected ${job.size}` });
    return "failed";
  }
  if (got.sha256 !== job.sha256) {
    await report({ jobId, status: "failed", error: `sha256 mismatch: got ${got.sha256}` });
    return "failed";
  }
  await report({ jobId, status: "installing" });
  await sleep(behaviour.installMs ?? 500, signal);
  if (random() < (behaviour.failureRate ?? 0)) {
    await report({ jobId, status: "failed", error: "install failed (emulated failure rate)" });
    return "failed";
  }
  await report({ jobId, status: "succeeded", version: job.version });
  return random() < (behaviour.brickRate ?? 0) ? "bricked" : "succeeded";
}
