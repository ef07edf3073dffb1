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
  /**
   * A live frame, already encoded (one copy of a frame serves every client that wants it): queued
   * until `flush()`, or held while the stream replays.
   */
  sendLive(frame: Uint8Array): void;
  /**
   * Sends the live frames queued since the last flush as one chunk. The hub flushes after each
   * batch of the log: one write per client per batch instead of one per event and client.
   */
  flush(): void;
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

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) out.set(chunk, at), at += chunk.byteLength;
  return out;
}

export function createSseStream(options: SseStreamOptions): SseStream {
  const closed = new AbortController();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let held: Uint8Array[] | undefined = options.replaying ? [] : undefined;
  let heldBytes = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
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
    pending = [];
    pendingBytes = 0;
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

  /** Whether `bytes` more fit the budget; if not, the stream is closed with `tooSlow`. */
  function fits(bytes: number): boolean {
    if (closed.signal.aborted) return false;
    if (queued() + heldBytes + pendingBytes + bytes <= options.maxBufferedBytes) return true;
    close(tooSlow);
    return false;
  }

  function send(frame: string): void {
    const bytes = encoder.encode(frame);
    if (fits(bytes.byteLength)) enqueue(bytes);
  }

  return {
    body,
    signal: closed.signal,
    send,
    sendLive(frame) {
      if (!fits(frame.byteLength)) return;
      if (held) {
        held.push(frame);
        heldBytes += frame.byteLength;
      } else {
        pending.push(frame);
        pendingBytes += frame.byteLength;
      }
    },
    flush() {
      if (pending.length === 0) return;
      const frames = pending;
      const size = pendingBytes;
      pending = [];
      pendingBytes = 0;
      enqueue(frames.length === 1 ? frames[0]! : concat(frames, size));
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
