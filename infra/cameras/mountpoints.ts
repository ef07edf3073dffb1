/**
 * Camera mountpoints on Janus' streaming plugin: one RTP mountpoint per camera, named
 * `<prefix>-<camera id>` (string ids), with one H.264 video stream per payload type (mid
 * `v<pt>`, see core/cameras/whep_bridge.ts). Janus picks each stream's RTP port from its range;
 * the relay sends there. Mountpoints are never permanent: Janus forgets them on restart, and the
 * supervisor removes those of its prefix that no camera owns.
 */
import type { MountpointStream } from "../../core/cameras/mod.ts";
import { type JanusHandle, streamingData } from "./janus_client.ts";

export const STREAMING_PLUGIN = "janus.plugin.streaming";

export const mountpointId = (prefix: string, cameraId: string): string => `${prefix}-${cameraId}`;

export const mountpointStreams = (payloadTypes: readonly number[]): MountpointStream[] =>
  payloadTypes.map((pt) => ({ mid: `v${pt}`, pt }));

/** A stream of a created mountpoint, with the RTP port Janus listens on for it. */
export interface MountpointPort extends MountpointStream {
  port: number;
}

/** Janus' error code for "no such mountpoint". */
const NO_SUCH_MOUNTPOINT = 455;

/** Removes mountpoint `id`; no such mountpoint is fine. */
export async function destroyMountpoint(handle: JanusHandle, id: string, adminKey: string): Promise<void> {
  const reply = await handle.message({ request: "destroy", id, admin_key: adminKey, permanent: false });
  const data = reply.plugindata?.data;
  if (data?.error_code === NO_SUCH_MOUNTPOINT) return;
  streamingData(reply);
}

/** (Re)creates mountpoint `id` for `streams`; resolves with the RTP port of each stream. */
export async function createMountpoint(
  handle: JanusHandle,
  { id, description, streams, adminKey }: {
    id: string;
    description: string;
    streams: readonly MountpointStream[];
    adminKey: string;
  },
): Promise<MountpointPort[]> {
  await destroyMountpoint(handle, id, adminKey);
  const data = streamingData(
    await handle.message({
      request: "create",
      type: "rtp",
      id,
      name: id,
      description,
      admin_key: adminKey,
      permanent: false,
      media: streams.map((s) => ({
        type: "video",
        mid: s.mid,
        port: 0,
        pt: s.pt,
        codec: "h264",
        fmtp: "profile-level-id=42e01f;packetization-mode=1",
      })),
    }),
  );
  const ports = (data.stream?.ports ?? []) as { mid: string; port: number }[];
  return streams.map((s) => {
    const port = ports.find((p) => p.mid === s.mid)?.port;
    if (port === undefined) throw new Error(`Janus gave mountpoint ${id} no port for ${s.mid}`);
    return { ...s, port };
  });
}

/** The ids of every mountpoint Janus has. */
export async function listMountpoints(handle: JanusHandle): Promise<string[]> {
  const data = streamingData(await handle.message({ request: "list" }));
  return ((data.list ?? []) as { id: string | number }[]).map((m) => String(m.id));
}
