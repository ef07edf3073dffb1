/**
 * The HTTP calls of the firmware and OTA pages (design §10), beside `api_client.ts` so that file
 * does not grow with every page. Same rules: same-origin with the session cookie, errors as
 * `ApiError`, a 401 ends the session. The upload goes through `XMLHttpRequest`: `fetch` reports
 * no upload progress (and Chromium streams a request body only over HTTP/2, which the API does
 * not speak on plain HTTP), while `xhr.upload` gives the bytes sent as they leave.
 */
import type { FirmwareRow, OtaCampaignRow, OtaJobRow } from "../../core/readmodels/mod.ts";
import type { JobCounts } from "../../core/ota/mod.ts";
import { answerOf, type Device } from "./api_client.ts";

export type Firmware = Omit<FirmwareRow, "createdBy">;
export type Campaign = Omit<OtaCampaignRow, "createdBy"> & { counts: JobCounts };
export type Job = Pick<
  OtaJobRow,
  | "jobId"
  | "deviceId"
  | "status"
  | "wave"
  | "progress"
  | "error"
  | "detail"
  | "reportedVersion"
  | "dispatchedAt"
  | "finishedAt"
  | "updatedAt"
>;
export type { JobCounts };

/** `POST /ota/campaigns` (design §10). */
export interface CampaignBody {
  name: string;
  firmwareId: string;
  target: { devices?: string[]; labels?: Record<string, string> };
  waves?: { size?: number; percent?: number };
  abort?: { failurePercent: number; minFinished: number };
  jobTimeoutSeconds?: number;
  health?: { seconds: number };
}

export type CampaignAction = "start" | "pause" | "resume" | "cancel";

async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const response = await fetch(`/api/v1${path}`, {
    method,
    credentials: "same-origin",
    ...(signal ? { signal } : {}),
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return await answerOf<T>(response, path);
}

const enc = encodeURIComponent;

const search = (params: Record<string, string | number | undefined>) => {
  const defined = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined);
  return defined.length ? `?${new URLSearchParams(defined.map(([k, v]) => [k, String(v)]))}` : "";
};

export const otaApi = {
  firmware: (cursor?: string) =>
    call<{ items: Firmware[]; next?: string }>("GET", `/firmware${search({ cursor, limit: 200 })}`),
  deleteFirmware: (id: string) => call<void>("DELETE", `/firmware/${enc(id)}`),
  campaigns: (cursor?: string) =>
    call<{ items: Campaign[]; next?: string }>("GET", `/ota/campaigns${search({ cursor, limit: 50 })}`),
  campaign: (id: string) => call<Campaign>("GET", `/ota/campaigns/${enc(id)}`),
  createCampaign: (body: CampaignBody) => call<Campaign>("POST", "/ota/campaigns", body),
  act: (id: string, action: CampaignAction) => call<Campaign>("POST", `/ota/campaigns/${enc(id)}/${action}`),
  jobs: (id: string, cursor?: string) =>
    call<{ items: Job[]; next?: string }>(
      "GET",
      `/ota/campaigns/${enc(id)}/jobs${search({ cursor, limit: 500 })}`,
    ),
  devicePage: (q: { label?: string; cursor?: string }, signal?: AbortSignal) =>
    call<{ items: Device[]; next?: string }>(
      "GET",
      `/devices${search({ ...q, limit: 500 })}`,
      undefined,
      signal,
    ),
};

/**
 * Uploads `file` as `name` `version`, calling `onProgress(sent, total)` as the bytes leave.
 * Resolves to the stored image; rejects with an `ApiError` (409 exists, 413 too large, …).
 */
export function uploadFirmware(
  file: Blob,
  name: string,
  version: string,
  onProgress: (sent: number, total: number) => void,
): Promise<Firmware> {
  const path = `/firmware${search({ name, version })}`;
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1${path}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.upload.onload = () => onProgress(file.size, file.size);
    xhr.onerror = () => reject(new Error("The upload failed: the connection was lost"));
    xhr.onabort = () => reject(new Error("The upload was cancelled"));
    xhr.onload = () => {
      const body = xhr.status === 204 || !xhr.responseText ? null : xhr.responseText;
      answerOf<Firmware>(new Response(body, { status: xhr.status }), path).then(resolve, reject);
    };
    xhr.send(file);
  });
}
