/**
 * The add-camera form: its fields as typed, checked before anything is sent, turned into the body
 * of `POST /cameras`. Field errors are keyed by the API's paths (`source.url`), so the server's
 * own 400 details land next to the same fields. The RTSP URL may carry a user and password: the
 * form sends them once and clears the field; the API stores them encrypted and never returns them,
 * and `withoutCredentials` keeps them off the screen even if a URL with them came back.
 */
import { parseLabels } from "./admin_model.ts";
import type { NewCamera } from "./camera_api.ts";

export interface CameraForm {
  id: string;
  name: string;
  /** `site=north, floor=2`, as the device registration form takes them. */
  labels: string;
  sourceKind: "rtsp" | "push";
  url: string;
  record: boolean;
  retentionHours: string;
}

export const EMPTY_CAMERA_FORM: CameraForm = {
  id: "",
  name: "",
  labels: "",
  sourceKind: "rtsp",
  url: "",
  record: true,
  retentionHours: "24",
};

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const MAX_RETENTION_HOURS = 24 * 366;

export type CameraFormResult = { body: NewCamera; errors?: undefined } | {
  body?: undefined;
  errors: Map<string, string>;
};

/** The request body, or the fields that are wrong (by API path) and why. */
export function cameraBody(form: CameraForm): CameraFormResult {
  const errors = new Map<string, string>();
  const body: NewCamera = { source: { kind: "push" } };
  const id = form.id.trim();
  if (id && !ID.test(id)) errors.set("id", "Letters, digits and . _ : - only, up to 128");
  else if (id) body.id = id;
  if (form.name.trim()) body.name = form.name.trim();
  try {
    const labels = parseLabels(form.labels);
    if (Object.keys(labels).length) body.labels = labels;
  } catch (error) {
    errors.set("labels", (error as Error).message);
  }
  if (form.sourceKind === "rtsp") {
    const problem = rtspProblem(form.url.trim());
    if (problem) errors.set("source.url", problem);
    else body.source = { kind: "rtsp", url: form.url.trim() };
  }
  body.record = form.record;
  if (form.record) {
    const hours = Number(form.retentionHours);
    if (!Number.isInteger(hours) || hours < 1 || hours > MAX_RETENTION_HOURS) {
      errors.set("retentionHours", `A whole number of hours, 1 to ${MAX_RETENTION_HOURS}`);
    } else body.retentionHours = hours;
  }
  return errors.size ? { errors } : { body };
}

/** Why `url` is not an RTSP URL the platform could pull, or undefined when it is. */
export function rtspProblem(url: string): string | undefined {
  if (!url) return "The camera's RTSP URL is needed";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "Not a URL: rtsp://[user:password@]host[:port]/path";
  }
  if (parsed.protocol !== "rtsp:" && parsed.protocol !== "rtsps:") {
    return `Only rtsp:// and rtsps:// URLs, not ${parsed.protocol}//`;
  }
  if (!parsed.hostname) return "The URL names no host";
  return undefined;
}

/** `url` with any user and password removed (`rtsp://host/path`); not a URL: as it is. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = "";
    parsed.password = "";
    return parsed.href;
  } catch {
    // Hide anything between the scheme and an @, which is where credentials would be.
    return url.replace(/^([a-z]+:\/\/)[^@/]*@/i, "$1");
  }
}

/** The form's field of an API error path, so a 400's details can be shown by the field. */
export function fieldOfPath(path: string): string {
  if (path.startsWith("source")) return "source.url";
  if (path.startsWith("labels")) return "labels";
  return path;
}
