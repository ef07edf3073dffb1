/**
 * One SSE response and the memory it may hold. Frames wait in the response body until the
 * client's socket takes them; those and the live frames held back while the stream replays are
 * counted in bytes against one budget. A client over it gets a final `dropped` frame and is
 * closed: a slow reader costs at most its budget and never slows the others.
 */
import { CONNECTED, finalFrame, PING } from "./sse_frames.ts";

export interface SseStreamOptions {
  /** Bytes queued for the socket plus live frames held during a replay. */
  maxBufferedBytes: number;
  heartbeatMs: number;
  /** The stream starts with a replay: live frames are held until `endReplay()`. */
  replaying: boolean;
  /** Called once, when the stream closes for whatever reason. */
  onClose(): void;
}

export interface SseStream {
  readonly body: ReadableStream<Uint8Array>;
  /** Aborts when the stream closes, whatever closed it: stops the work done for it. */
  readonly signal: AbortSignal;
  /** A live frame: sent now, or held while the stream replays. */
  sendLive(frame: string): void;
  /** A frame sent now (a replayed event, a comment). */
  send(frame: string): void;
  /** The replay is done: the held live frames go out, and later ones straight away. */
  endReplay(): void;
  /**
   * Resolves at once while less than half the budget is in use, else once the client has taken
   * everything queued (or the stream closed). A replay awaits it before each frame, so it goes at
   * the client's pace instead of filling the budget and getting the client dropped.
   */
  room(): Promise<void>;
  /** Sends `lastFrame` when given, then closes. */
  close(lastFrame?: string): void;
}

const encoder = new TextEncoder();

export function createSseStream(options: SseStreamOptions): SseStream {
  const closed = new AbortController();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let held: Uint8Array[] | undefined = options.replaying ? [] : undefined;
  let heldBytes = 0;
  let drainWaiters: (() => void)[] = [];
  const tooSlow = finalFrame(
    "dropped",
    "too_slow",
    `The client read too slowly: more than ${options.maxBufferedBytes} bytes were waiting for it. ` +
      "Reconnect with Last-Event-ID to resume.",
  );

  const wakeDrainWaiters = () => {
    const waiters = drainWaiters;
    drainWaiters = [];
    for (const wake of waiters) wake();
  };

  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      c.enqueue(encoder.encode(CONNECTED));
    },
    // Called when the client asks for more and nothing is queued: the queue has drained.
    pull: wakeDrainWaiters,
    cancel: () => finish(),
  }, { highWaterMark: 0, size: (chunk) => chunk.byteLength });

  // With a zero high-water mark and a byte size, desiredSize is minus the bytes queued.
  const queued = () => -(controller.desiredSize ?? 0);
  const heartbeat = setInterval(() => send(PING), options.heartbeatMs);

  function finish(): void {
    if (closed.signal.aborted) return;
    clearInterval(heartbeat);
    held = undefined;
    heldBytes = 0;
    closed.abort();
    wakeDrainWaiters();
    options.onClose();
  }

  function enqueue(bytes: Uint8Array): void {
    try {
      controller.enqueue(bytes);
    } catch {
      finish(); // the client closed the body first
    }
  }

  function close(lastFrame?: string): void {
    if (closed.signal.aborted) return;
    try {
      if (lastFrame) controller.enqueue(encoder.encode(lastFrame));
      controller.close();
    } catch { /* already closed by the client */ }
    finish();
  }

  /** The frame's bytes, or undefined after closing the stream when they would exceed the budget. */
  function withinBudget(frame: string): Uint8Array | undefined {
    if (closed.signal.aborted) return undefined;
    const bytes = encoder.encode(frame);
    if (queued() + heldBytes + bytes.byteLength <= options.maxBufferedBytes) return bytes;
    close(tooSlow);
    return undefined;
  }

  function send(frame: string): void {
    const bytes = withinBudget(frame);
    if (bytes) enqueue(bytes);
  }

  return {
    body,
    signal: closed.signal,
    send,
    sendLive(frame) {
      if (!held) return send(frame);
      const bytes = withinBudget(frame);
      if (!bytes) return;
      held.push(bytes);
      heldBytes += bytes.byteLength;
    },
    endReplay() {
      const frames = held ?? [];
      held = undefined;
      heldBytes = 0;
      // No budget check: the held bytes were counted when they arrived.
      for (const bytes of frames) enqueue(bytes);
    },
    room() {
      const inUse = queued() + heldBytes;
      if (closed.signal.aborted || inUse < options.maxBufferedBytes / 2 || queued() === 0) {
        return Promise.resolve();
      }
      return new Promise((resolve) => drainWaiters.push(resolve));
    },
    close,
  };
}
