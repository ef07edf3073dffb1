/**
 * A stream outlives the credential check made when it opened. This checks again every `everyMs`
 * and ends the stream once the credentials fail (logged out, token revoked or expired, user
 * deleted), so revoking access also ends what is already streaming.
 */
import { finalFrame } from "./sse_frames.ts";
import type { SseStream } from "./sse_stream.ts";
import { type Logger, noopLogger } from "../../core/logging/mod.ts";

/** Starts watching; returns the function that stops it. */
export function watchCredentials(
  stillAuthorized: () => Promise<boolean>,
  stream: SseStream,
  everyMs: number,
  logger: Logger = noopLogger,
): () => void {
  const timer = setInterval(async () => {
    let authorized = true;
    try {
      authorized = await stillAuthorized();
    } catch (error) {
      // A store hiccup must not end every open stream at once: the next check decides.
      logger.warn("cannot re-check the credentials of a stream", { error });
    }
    if (!authorized) {
      stream.close(finalFrame("error", "unauthorized", "The credentials of this stream are no longer valid"));
    }
  }, everyMs);
  return () => clearInterval(timer);
}
