/**
 * Camera settings from the environment (read by `loadConfig`, like the retention settings):
 *
 * | variable | default | what |
 * |---|---|---|
 * | `AIOT_JANUS_URL` | none | Janus' HTTP API, e.g. `http://127.0.0.1:8088/janus`; without it no WebRTC (WHEP answers 503), HLS still works |
 * | `AIOT_JANUS_SECRET` | none | Janus' `api_secret`, also the streaming plugin's `admin_key` |
 * | `AIOT_CAMERA_RTP_HOST` | `127.0.0.1` | where relays send RTP to Janus (compose: `janus`) |
 * | `AIOT_CAMERA_RTP_PAYLOAD_TYPES` | `102,126` | the H.264 payload types each mountpoint sends (see `whep_bridge.ts`) |
 * | `AIOT_CAMERA_MOUNTPOINT_PREFIX` | `aiot` | names this deployment's mountpoints (`<prefix>-<camera id>`); mountpoints with it and no camera are removed |
 * | `AIOT_CAMERA_ALLOW_PRIVATE` | `0` | `1`: camera URLs may point at loopback and private networks (a site's LAN) |
 * | `AIOT_FFMPEG` | `ffmpeg` | the ffmpeg program of the relays |
 * | `AIOT_CAMERA_RTMP_URL` | none | nginx-rtmp's application where relays play push cameras, e.g. `rtmp://127.0.0.1:1935/live`; without it push sources are refused (400) |
 * | `AIOT_CAMERA_PUSH_URL` | `AIOT_CAMERA_RTMP_URL` | the same application as cameras reach it (the `push.url` answered, before the stream key) |
 */

export interface CameraConfig {
  janus?: { url: string; secret: string };
  rtpHost: string;
  payloadTypes: number[];
  mountpointPrefix: string;
  allowPrivate: boolean;
  ffmpeg: string;
  /** Push ingest: where relays play (`…/<stream key>`) and where cameras publish. */
  push?: { rtmpUrl: string; publicUrl: string };
}

/** Reads the camera variables; throws a `TypeError` naming a bad one. */
export function camerasFromEnv(env: Record<string, string | undefined>): CameraConfig {
  const get = (name: string) => (env[name] === "" ? undefined : env[name]);
  const url = get("AIOT_JANUS_URL");
  if (url !== undefined && !/^https?:\/\/\S+$/.test(url)) {
    throw new TypeError("Invalid configuration: AIOT_JANUS_URL must be an http(s) URL");
  }
  const payloadTypes = (get("AIOT_CAMERA_RTP_PAYLOAD_TYPES") ?? "102,126").split(",").map((p) =>
    Number(p.trim())
  );
  if (payloadTypes.length === 0 || payloadTypes.some((pt) => !Number.isInteger(pt) || pt < 96 || pt > 127)) {
    throw new TypeError(
      "Invalid configuration: AIOT_CAMERA_RTP_PAYLOAD_TYPES must list dynamic payload types (96-127)",
    );
  }
  const prefix = get("AIOT_CAMERA_MOUNTPOINT_PREFIX") ?? "aiot";
  if (!/^[A-Za-z0-9_.]{1,32}$/.test(prefix)) {
    throw new TypeError(
      "Invalid configuration: AIOT_CAMERA_MOUNTPOINT_PREFIX must be 1-32 of A-Z a-z 0-9 _ .",
    );
  }
  const allow = get("AIOT_CAMERA_ALLOW_PRIVATE") ?? "0";
  if (allow !== "0" && allow !== "1") {
    throw new TypeError("Invalid configuration: AIOT_CAMERA_ALLOW_PRIVATE must be 0 or 1");
  }
  const rtmp = get("AIOT_CAMERA_RTMP_URL")?.replace(/\/$/, "");
  const publicRtmp = get("AIOT_CAMERA_PUSH_URL")?.replace(/\/$/, "") ?? rtmp;
  for (const [name, value] of [["AIOT_CAMERA_RTMP_URL", rtmp], ["AIOT_CAMERA_PUSH_URL", publicRtmp]]) {
    if (value !== undefined && !/^rtmps?:\/\/[^\s/]+\/\S+$/.test(value)) {
      throw new TypeError(`Invalid configuration: ${name} must be an rtmp:// URL of an application`);
    }
  }
  return {
    ...(rtmp === undefined ? {} : { push: { rtmpUrl: rtmp, publicUrl: publicRtmp! } }),
    ...(url === undefined
      ? {}
      : { janus: { url: url.replace(/\/$/, ""), secret: get("AIOT_JANUS_SECRET") ?? "" } }),
    rtpHost: get("AIOT_CAMERA_RTP_HOST") ?? "127.0.0.1",
    payloadTypes,
    mountpointPrefix: prefix,
    allowPrivate: allow === "1",
    ffmpeg: get("AIOT_FFMPEG") ?? "ffmpeg",
  };
}
