/**
 * The camera routes of the API (issue 19's contract), beside `api_client.ts` so that file does not
 * grow with every page. Same rules: same-origin with the session cookie, errors as `ApiError`, a
 * 401 ends the session. Video URLs (live HLS, the recordings' VOD playlist) are same-origin paths
 * the player loads with the same cookie, so no credential ever appears in them.
 */
import { answerOf } from "./api_client.ts";

export type CameraStatus = "starting" | "online" | "offline";

/** Where the video comes from. The API never returns an RTSP URL's user and password. */
export type CameraSource = { kind: "rtsp"; url: string } | { kind: "push" };

export interface Camera {
  id: string;
  name?: string;
  labels: Record<string, string>;
  source: CameraSource;
  record: boolean;
  retentionHours: number;
  status: CameraStatus;
  /** Why it is offline (connection refused, wrong credentials, unsupported codec, …). */
  reason?: string;
  /** ISO-8601: since when `status` holds. */
  since?: string;
}

/** `POST /cameras`. */
export interface NewCamera {
  id?: string;
  name?: string;
  labels?: Record<string, string>;
  source: CameraSource;
  record?: boolean;
  retentionHours?: number;
}

/** What `POST /cameras` answers: for a push source, the ingest URL and its secret, shown once. */
export type CreatedCamera = Camera & { push?: { url: string; secret: string } };

/** A continuous run of recorded segments. */
export interface Recording {
  start: string;
  end: string;
  seconds: number;
}

const enc = encodeURIComponent;

/** The path of a camera's resource `rest` under `/api/v1`. */
export const cameraPath = (id: string, rest = ""): string => `/api/v1/cameras/${enc(id)}${rest}`;

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api/v1${path}`, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return await answerOf<T>(response, path);
}

const range = (from: number, to: number) =>
  `?${new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString() })}`;

export const cameraApi = {
  list: (label?: string) =>
    call<{ items: Camera[] }>("GET", `/cameras${label ? `?${new URLSearchParams({ label })}` : ""}`),
  get: (id: string) => call<Camera>("GET", `/cameras/${enc(id)}`),
  create: (body: NewCamera) => call<CreatedCamera>("POST", "/cameras", body),
  update: (id: string, body: Partial<Omit<NewCamera, "id">>) =>
    call<Camera>("PATCH", `/cameras/${enc(id)}`, body),
  remove: (id: string) => call<void>("DELETE", `/cameras/${enc(id)}`),
  recordings: (id: string, from: number, to: number) =>
    call<{ items: Recording[] }>("GET", `/cameras/${enc(id)}/recordings${range(from, to)}`),
};

/** The WHEP endpoint (SDP offer in, answer out) of camera `id`. */
export const whepUrl = (id: string): string => cameraPath(id, "/whep");

/** The live HLS playlist of camera `id`. */
export const liveHlsUrl = (id: string): string => cameraPath(id, "/hls/live.m3u8");

/** The VOD playlist of camera `id`'s recordings in [from, to] (epoch ms). */
export const recordingsPlaylistUrl = (id: string, from: number, to: number): string =>
  cameraPath(id, `/recordings/playlist.m3u8${range(from, to)}`);
