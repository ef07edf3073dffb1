/**
 * The camera adapters from configuration: the HLS store under the data dir, the secret box (the
 * platform key, as for webhooks), the URL guard (the webhooks' SSRF check, with
 * `AIOT_CAMERA_ALLOW_PRIVATE`), and, with `AIOT_JANUS_URL`, the Janus client and WHEP sessions.
 */
import type { SecretBox } from "../../core/webhooks/store.ts";
import { checkWebhookUrl } from "../webhooks/address_guard.ts";
import { createSecretBox, loadSecretKey } from "../webhooks/secret_box.ts";
import type { CameraConfig } from "./camera_config.ts";
import { createHlsStore, type HlsStore } from "./hls_store.ts";
import { createJanusClient, type JanusClient } from "./janus_client.ts";
import { createWhepSessions, type WhepSessions } from "./whep_sessions.ts";

export interface Cameras {
  config: CameraConfig;
  hls: HlsStore;
  secrets: SecretBox;
  /** Why the host of an RTSP URL may not be a camera source (private, loopback…), or undefined. */
  checkUrl(url: string): Promise<string | undefined>;
  janus?: JanusClient;
  whep?: WhepSessions;
  close(): Promise<void>;
}

/** The webhooks' guard, for RTSP: the same host rules (it checks http(s) URLs, so the scheme is swapped). */
export function cameraUrlCheck(allowPrivate: boolean) {
  return (url: string) => checkWebhookUrl(url.replace(/^rtsps?:/i, "http:"), { allowPrivate });
}

export async function openCameras(
  options: { dataDir: string; secretKey?: string | undefined; cameras: CameraConfig },
): Promise<Cameras> {
  const key = await loadSecretKey({
    dataDir: options.dataDir,
    ...(options.secretKey === undefined ? {} : { envKey: options.secretKey }),
  });
  const config = options.cameras;
  const janus = config.janus ? createJanusClient(config.janus) : undefined;
  const whep = janus
    ? createWhepSessions(janus, {
      mountpointPrefix: config.mountpointPrefix,
      payloadTypes: config.payloadTypes,
    })
    : undefined;
  return {
    config,
    hls: createHlsStore(`${options.dataDir}/cameras`),
    secrets: await createSecretBox(key),
    checkUrl: cameraUrlCheck(config.allowPrivate),
    ...(janus ? { janus } : {}),
    ...(whep ? { whep } : {}),
    close: async () => await whep?.closeAll(),
  };
}
