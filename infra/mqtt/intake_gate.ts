/**
 * A bound on the uplinks the embedded broker holds in memory across all connections. aedes
 * parses a connection's whole read chunk before it reads again and a QoS 1 packet is held until
 * its events are durable, so each connection keeps its in-flight packets bounded; but with a
 * thousand connections each holding hundreds of parsed packets (and each packet its events, JSON
 * and promises), a platform that falls behind held ~150 MiB of them live (measured: 1,000 devices
 * at 10k msg/s, issue 18). The gate closes when more than `high` messages wait for the log and
 * opens again at `low`: while it is closed, connections hand aedes no new data (socket_stream.ts),
 * their sockets pause once their small buffer is full, and TCP slows the devices down — the same
 * backpressure a slow broker always gave, decided by the whole process instead of per connection.
 */

export interface IntakeGateOptions {
  /** Messages waiting for the log above which no connection is read. Default 20,000. */
  high?: number;
  /** Messages waiting at or below which reading resumes. Default half of `high`. */
  low?: number;
}

export class IntakeGate {
  readonly #pending: () => number;
  readonly #high: number;
  readonly #low: number;
  #closed = false;
  #waiting: (() => void)[] = [];

  /** `pending` = messages handed to the log and not yet durable (the group-commit appender's). */
  constructor(pending: () => number, options: IntakeGateOptions = {}) {
    this.#pending = pending;
    this.#high = options.high ?? 20_000;
    this.#low = Math.min(options.low ?? Math.floor(this.#high / 2), this.#high);
  }

  /** False while the process holds too many messages; it then stays closed until `low`. */
  get open(): boolean {
    if (!this.#closed && this.#pending() > this.#high) this.#closed = true;
    return !this.#closed;
  }

  /** Connections that found it closed, to be called once when it opens. */
  get waiting(): number {
    return this.#waiting.length;
  }

  whenOpen(listener: () => void): void {
    this.#waiting.push(listener);
  }

  /** Call whenever messages became durable (or failed): opens the gate at `low`. */
  settled(): void {
    if (!this.#closed || this.#pending() > this.#low) return;
    this.#closed = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const listener of waiting) listener();
  }
}
