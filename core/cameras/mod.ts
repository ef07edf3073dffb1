/**
 * @module
 * Cameras (issue 19), the pure parts: RTSP source URLs and their credentials, the relay's stream
 * state machine, what ffmpeg's output means, the WHEP ↔ Janus offer bridge, recordings (runs and
 * VOD playlists), and the ports the API uses.
 */
export { type ParsedSource, parseRtspSource, sourceWithCredentials } from "./source.ts";
export {
  decideStream,
  DEFAULT_STREAM_POLICY,
  initialStreamState,
  type ReportedStatus,
  type StreamAction,
  type StreamFact,
  type StreamPhase,
  type StreamPolicy,
  type StreamState,
} from "./stream_state.ts";
export { failureReason, parseVideoLine, type VideoInfo } from "./relay_log.ts";
export { bridgeOffers, type MountpointStream, pickStream, WhepOfferError } from "./whep_bridge.ts";
export {
  GAP_TOLERANCE_MS,
  parsePlaylist,
  type PlaylistEntry,
  type RecordedSegment,
  type RecordingRun,
  recordingRuns,
  segmentsIn,
  vodPlaylist,
} from "./recordings.ts";
export { type CameraMedia, CameraUnavailableError, type MediaFile, type WhepGateway } from "./ports.ts";
