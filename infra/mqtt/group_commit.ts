/**
 * Group commit in front of an EventLog: messages for one topic are collected for a couple of
 * milliseconds (or until a batch is full) and appended in one call, so a thousand QoS 1
 * uplinks cost a handful of durable appends instead of a thousand. Each caller's promise
 * resolves only after its batch is durable.
 *
 * Order: messages are enqueued synchronously in call order and each topic has at most one append
 * in flight, so one key's messages land in the order they were given. When an append fails,
 * every message queued behind it on that topic is failed too: letting a later message of the
 * same device succeed while an earlier one is retried would reorder the device's events.
 */
import type { EventLog, LogMessage } from "../../core/log/event_log.ts";

export interface GroupCommitOptions {
  /** How long the first message of a batch waits for company. Default 2 ms. */
  maxDelayMs?: number;
  /** Largest batch appended in one call. Default 500. */
  maxBatch?: number;
  /** Called after each batch settled (durable or failed), once `pending` has dropped. */
  onSettled?: () => void;
}

export interface GroupCommitAppender {
  /** Resolves when `message` is durable in `topic`; rejects with the append's error. */
  append(topic: string, message: LogMessage): Promise<void>;
  /** Messages handed in and not yet durable (or failed). */
  readonly pending: number;
  /** Appends everything queued now without waiting for the delay; resolves when all of it settled. */
  flush(): Promise<void>;
}

interface Waiting {
  message: LogMessage;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface TopicQueue {
  queue: Waiting[];
  inFlight: Promise<void> | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export function createGroupCommitAppender(
  log: EventLog,
  options: GroupCommitOptions = {},
): GroupCommitAppender {
  const maxDelayMs = options.maxDelayMs ?? 2;
  const maxBatch = options.maxBatch ?? 500;
  const topics = new Map<string, TopicQueue>();
  let pending = 0;

  function stateOf(topic: string): TopicQueue {
    let state = topics.get(topic);
    if (!state) topics.set(topic, state = { queue: [], inFlight: undefined, timer: undefined });
    return state;
  }

  function drain(topic: string, state: TopicQueue): void {
    clearTimeout(state.timer);
    state.timer = undefined;
    if (state.inFlight || state.queue.length === 0) return;
    const batch = state.queue.splice(0, maxBatch);
    state.inFlight = log.append(topic, batch.map((w) => w.message)).then(
      () => {
        pending -= batch.length;
        for (const w of batch) w.resolve();
        options.onSettled?.();
      },
      (error: unknown) => {
        const failed = [...batch, ...state.queue.splice(0)];
        pending -= failed.length;
        for (const w of failed) w.reject(error);
        options.onSettled?.();
      },
    ).finally(() => {
      state.inFlight = undefined;
      // Whatever arrived during the append already waited at least that long: go at once.
      drain(topic, state);
    });
  }

  return {
    append(topic, message) {
      const state = stateOf(topic);
      pending++;
      // The promise's own resolvers, no wrappers: one allocation fewer per message on the hot path.
      const done = new Promise<void>((resolve, reject) => state.queue.push({ message, resolve, reject }));
      if (!state.inFlight) {
        if (state.queue.length >= maxBatch) drain(topic, state);
        else state.timer ??= setTimeout(() => drain(topic, state), maxDelayMs);
      }
      return done;
    },
    get pending() {
      return pending;
    },
    async flush() {
      while (pending > 0) {
        const waits: Promise<void>[] = [];
        for (const [topic, state] of topics) {
          drain(topic, state);
          if (state.inFlight) waits.push(state.inFlight);
        }
        if (waits.length === 0) return;
        await Promise.all(waits);
      }
    },
  };
}
