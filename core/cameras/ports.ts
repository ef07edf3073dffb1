/**
 * What the camera routes need from infra, as ports: WHEP sessions on the WebRTC gateway, and the
 * HLS files and recording index the relays write.
 */
import type { RecordedSegment } from "./recordings.ts";

/** Live WebRTC viewing (WHEP) of camera mountpoints. */
export interface WhepGateway {
  /**
   * Answers `offer` (SDP, recvonly video) for the camera's mountpoint. Throws a `WhepOfferError`
   * (406) for an offer the relay cannot serve, a `CameraUnavailableError` (503) when the
   * camera's mountpoint is not there (offline) or the gateway does not answer.
   */
  open(cameraId: string, offer: string): Promise<{ sessionId: string; answer: string }>;
  /** Ends a session; false when there is no such session of that camera. */
  close(cameraId: string, sessionId: string): Promise<boolean>;
}

/** The camera is offline or its relay is unreachable: a 503. */
export class CameraUnavailableError extends Error {}

/** A file of a camera's HLS directory. */
export interface MediaFile {
  body: ReadableStream<Uint8Array> | Uint8Array;
  size: number;
  contentType: string;
}

/** The relays' output as the API reads it. */
export interface CameraMedia {
  /** `live.m3u8` or a segment of the camera; undefined when missing (or an invalid name). */
  readFile(cameraId: string, name: string): Promise<MediaFile | undefined>;
  /** The camera's indexed (recorded) segments. */
  recordedSegments(cameraId: string): Promise<RecordedSegment[]>;
}
