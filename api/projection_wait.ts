/**
 * Read-your-writes over an asynchronous projection: the API appends events and the `readmodels`
 * projector updates the read models later. After an append, a write route waits (briefly) until
 * the projector's checkpoint passed the appended offsets, so a GET right after a 201 sees the
 * change. On timeout it answers anyway: the write is durable, only its read model lags.
 */
import type { AppendAck } from "../core/log/event_log.ts";
import type { ReadModelStore } from "../core/readmodels/mod.ts";

export interface ProjectionWaitOptions {
  /** The projector's checkpoint name. Default `readmodels`. */
  processor?: string;
  /** Default 2,000 ms; 0 returns at once. */
  timeoutMs?: number;
  /** Default 20 ms. */
  pollMs?: number;
}

/** Resolves true once every ack is projected, false after the timeout. */
export async function waitForProjection(
  readModels: ReadModelStore,
  topic: string,
  acks: readonly AppendAck[],
  options: ProjectionWaitOptions = {},
): Promise<boolean> {
  const processor = options.processor ?? "readmodels";
  const timeoutMs = options.timeoutMs ?? 2_000;
  const pollMs = options.pollMs ?? 20;
  const needed = new Map<number, number>();
  for (const ack of acks) needed.set(ack.partition, Math.max(needed.get(ack.partition) ?? -1, ack.offset));
  const deadline = performance.now() + timeoutMs;
  while (true) {
    let done = true;
    for (const [partition, offset] of needed) {
      const next = await readModels.checkpoint(processor, topic, partition);
      if (next === undefined || next <= offset) {
        done = false;
        break;
      }
    }
    if (done) return true;
    if (performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
