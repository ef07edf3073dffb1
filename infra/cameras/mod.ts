/**
 * @module
 * Camera adapters (issue 19): the Janus HTTP API client and the camera mountpoints on its
 * streaming plugin, the ffmpeg relay of one camera, the HLS store (live output, recording index,
 * retention), the camera supervisor of the `cameras` role, WHEP sessions, and `openCameras`,
 * which builds them from configuration.
 */
export { type CameraConfig, camerasFromEnv } from "./camera_config.ts";
export { type Cameras, cameraUrlCheck, openCameras } from "./open_cameras.ts";
export { createHlsStore, type HlsStore } from "./hls_store.ts";
export { createJanusClient, type JanusClient, JanusError, type JanusHandle } from "./janus_client.ts";
export {
  createMountpoint,
  destroyMountpoint,
  listMountpoints,
  mountpointId,
  STREAMING_PLUGIN,
} from "./mountpoints.ts";
export { relayArgs, type RelaySpec, startRelay } from "./relay_process.ts";
export {
  type CameraSupervisor,
  startCameraSupervisor,
  type StreamReport,
  type SupervisorDeps,
} from "./supervisor.ts";
export { createWhepSessions, type WhepSessions } from "./whep_sessions.ts";
