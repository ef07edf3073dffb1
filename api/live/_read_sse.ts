/**
 * Test helper: reads the frames of an SSE response as a client sees them. Private to the tests
 * of the live stream.
 */

export interface SseFrame {
  event: string;
  /** The `id:` line's value; "" for an empty `id:` line, undefined without one. */
  id: string | undefined;
  // deno-lint-ignore no-explicit-any
  data: any;
  /** The frame as sent. */
  text: string;
}

/** Frames that end a stream: the server closes it after sending one. */
const FINAL = new Set(["dropped", "error"]);

/**
 * Reads frames until `count` events arrived, a final `dropped` or `error` event, or the end of the
 * stream, then cancels it. A stream silent for `silenceMs` (default 5 s) also ends the reading, so
 * a failing test fails instead of hanging.
 */
export async function readSse(response: Response, count: number, silenceMs = 5_000): Promise<SseFrame[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseFrame[] = [];
  let buffer = "";
  try {
    while (events.length < count) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const silent = new Promise<{ value: undefined; done: true }>((resolve) => {
        timer = setTimeout(() => resolve({ value: undefined, done: true }), silenceMs);
      });
      const { value, done } = await Promise.race([reader.read(), silent]);
      clearTimeout(timer);
      if (done) return events;
      buffer += value;
      for (let end; (end = buffer.indexOf("\n\n")) >= 0; buffer = buffer.slice(end + 2)) {
        const text = buffer.slice(0, end + 2);
        const event = text.match(/^event: (.+)$/m)?.[1];
        if (!event) continue;
        const id = text.match(/^id:(?: (.*))?$/m);
        events.push({
          event,
          id: id ? id[1] ?? "" : undefined,
          data: JSON.parse(text.match(/^data: (.+)$/m)![1]!),
          text,
        });
        if (FINAL.has(event)) return events;
      }
    }
    return events;
  } finally {
    await reader.cancel();
  }
}
