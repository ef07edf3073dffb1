/**
 * The cameras as the dashboard holds them: the list the API returned, kept current by the
 * `camera.stream.*` events of the live stream, filtered and grouped into the tile grid by a label
 * (a site, a floor). The stream follows the log and may deliver an event older than the listing
 * it arrives after: a camera's status only moves forward in time (`since`).
 */
import { eventTypeNames } from "../../core/events/type_names.ts";
import type { Camera, CameraStatus } from "./camera_api.ts";
import type { LiveEvent } from "./live_stream.ts";

/** Every `camera.*` type of the catalog, derived from it (no hand-copied list). */
export const CAMERA_EVENT_TYPES: readonly LiveEvent["type"][] = eventTypeNames.filter((t) =>
  (t as string).startsWith("camera.")
);

/** A camera with what its last `camera.stream.online` said about the video. */
export interface CameraView extends Camera {
  codec?: string;
  width?: number;
  height?: number;
}

type VideoFacts = Pick<CameraView, "codec" | "width" | "height">;

/** What a camera event says: its new status, why it is offline, what the video is. */
export interface CameraChange {
  status: CameraStatus;
  reason?: string;
  video?: VideoFacts;
}

/** The change a camera event makes, or undefined for other events. */
export function statusAfter(event: Pick<LiveEvent, "type" | "data">): CameraChange | undefined {
  const type = event.type as string;
  const data = (event.data ?? {}) as Record<string, unknown>;
  if (type === "camera.stream.online") {
    const video: VideoFacts = {};
    if (typeof data.codec === "string") video.codec = data.codec;
    if (typeof data.width === "number") video.width = data.width;
    if (typeof data.height === "number") video.height = data.height;
    return { status: "online", video };
  }
  if (type === "camera.stream.offline") {
    return { status: "offline", reason: typeof data.reason === "string" ? data.reason : "unknown" };
  }
  return undefined;
}

/**
 * The cameras after `events`: a new map when a status changed (so a view re-renders), else
 * `cameras` itself. Events about cameras not listed are skipped (the next listing brings them).
 */
export function applyCameraEvents(
  cameras: ReadonlyMap<string, CameraView>,
  events: readonly LiveEvent[],
): ReadonlyMap<string, CameraView> {
  let next: Map<string, CameraView> | undefined;
  for (const event of events) {
    const change = statusAfter(event);
    const camera = (next ?? cameras).get(event.key);
    if (!change || !camera) continue;
    if (camera.since && Date.parse(camera.since) > Date.parse(event.time)) continue;
    const { reason: _reason, codec: _codec, width: _width, height: _height, ...rest } = camera;
    // An online event describes the video anew; an offline one keeps what was known of it.
    const updated: CameraView = { ...rest, ...(change.video ?? videoOf(camera)), status: change.status };
    updated.since = event.time;
    if (change.reason !== undefined) updated.reason = change.reason;
    next ??= new Map(cameras);
    next.set(event.key, updated);
  }
  return next ?? cameras;
}

function videoOf(camera: CameraView): VideoFacts {
  const video: VideoFacts = {};
  if (camera.codec !== undefined) video.codec = camera.codec;
  if (camera.width !== undefined) video.width = camera.width;
  if (camera.height !== undefined) video.height = camera.height;
  return video;
}

/** `online · H264 1280×720`, `offline: connection refused`, `starting`. */
export function statusText(camera: CameraView): string {
  if (camera.status === "offline") return camera.reason ? `offline: ${camera.reason}` : "offline";
  if (camera.status !== "online") return camera.status;
  const size = camera.width && camera.height ? `${camera.width}×${camera.height}` : "";
  const video = [camera.codec?.toUpperCase(), size].filter(Boolean).join(" ");
  return video ? `online · ${video}` : "online";
}

/** The CSS class of a status badge. */
export const statusClass = (status: CameraStatus): string =>
  status === "online" ? "connected" : status === "offline" ? "decommissioned" : "requested";

/** Every label key of the cameras, sorted: what the grid can group by. */
export function labelKeys(cameras: Iterable<Camera>): string[] {
  const keys = new Set<string>();
  for (const camera of cameras) for (const key of Object.keys(camera.labels)) keys.add(key);
  return [...keys].sort();
}

/**
 * The cameras matching a free-text search (id, name, label values) and a label filter (`key` or
 * `key:value`), in id order.
 */
export function filterCameras<C extends Camera>(cameras: Iterable<C>, search: string, label: string): C[] {
  const needle = search.trim().toLowerCase();
  const filter = label.trim();
  const at = filter.indexOf(":");
  const key = at >= 0 ? filter.slice(0, at) : filter;
  const value = at >= 0 ? filter.slice(at + 1) : undefined;
  return [...cameras].filter((camera) => {
    if (key) {
      const has = camera.labels[key];
      if (has === undefined || (value !== undefined && has !== value)) return false;
    }
    if (!needle) return true;
    return camera.id.toLowerCase().includes(needle) ||
      (camera.name ?? "").toLowerCase().includes(needle) ||
      Object.values(camera.labels).some((v) => v.toLowerCase().includes(needle));
  }).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface CameraGroup<C> {
  /** The heading: `site: north`, `no site`, or `All cameras` when not grouped. */
  title: string;
  cameras: C[];
}

/**
 * The grid's sections: one per value of label `key` (sorted), cameras without it last; one
 * section of everything when `key` is empty. Cameras keep their order.
 */
export function groupCameras<C extends Camera>(cameras: readonly C[], key: string): CameraGroup<C>[] {
  if (!key) return cameras.length ? [{ title: "All cameras", cameras: [...cameras] }] : [];
  const groups = new Map<string, C[]>();
  const without: C[] = [];
  for (const camera of cameras) {
    const value = camera.labels[key];
    if (value === undefined) without.push(camera);
    else groups.set(value, [...(groups.get(value) ?? []), camera]);
  }
  const sections = [...groups.keys()].sort().map((value) => ({
    title: `${key}: ${value}`,
    cameras: groups.get(value)!,
  }));
  return without.length ? [...sections, { title: `no ${key}`, cameras: without }] : sections;
}
