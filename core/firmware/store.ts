/**
 * The `FirmwareStore` port: where uploaded firmware images live, content-addressed by their
 * SHA-256. An upload is staged first (streamed, hashed and size-checked as it arrives, never held
 * in memory) and becomes visible under its digest only on `commit`, so a refused or abandoned
 * upload leaves nothing behind. Images are read back as streams, whole or a byte range.
 */
import { AiotError } from "../errors.ts";

/** An upload over the size limit (HTTP 413). */
export class FirmwareTooLargeError extends AiotError {
  readonly code = "payload_too_large";
  readonly status = 413;
}

/** 64 lowercase hex characters: the only names images have in a store. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** An upload written aside, hashed and measured, not yet visible. */
export interface StagedImage {
  sha256: string;
  size: number;
  /** Moves it under its digest (an image with the same digest already there is kept as is). */
  commit(): Promise<void>;
  /** Drops it. Safe after `commit` (then a no-op) and more than once. */
  discard(): Promise<void>;
}

/** An inclusive byte range, as HTTP `Range` counts: `start` ≤ `end` < size. */
export interface ByteSpan {
  start: number;
  end: number;
}

export interface FirmwareStore {
  /**
   * Streams `body` aside while hashing it. Throws `FirmwareTooLargeError` as soon as more than
   * `maxBytes` arrived (having removed what was written), and a `ValidationError` for an empty body.
   */
  stage(body: ReadableStream<Uint8Array>, options: { maxBytes: number }): Promise<StagedImage>;
  /**
   * The image `sha256` (bytes `span`, default all) as a stream that reads from storage as the
   * consumer pulls, or `undefined` when there is no such image. Cancelling the stream releases it.
   */
  open(sha256: string, span?: ByteSpan): Promise<ReadableStream<Uint8Array> | undefined>;
  /** The stored size of `sha256`, or `undefined` when absent. */
  sizeOf(sha256: string): Promise<number | undefined>;
  /** Removes the image `sha256`; nothing when absent. */
  remove(sha256: string): Promise<void>;
}
