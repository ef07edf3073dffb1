/**
 * @module
 * The cameras read model (issue 19): configuration and stream status of each camera, and its
 * queries.
 */
export {
  type CameraRow,
  cameras,
  type CameraSource,
  type CameraStatus,
  DEFAULT_RETENTION_HOURS,
  evolveCamera,
} from "./model.ts";
export { getCamera, listCameras, MAX_CAMERAS } from "./queries.ts";
