/**
 * The lean memory profile: V8 heap limits (and fewer malloc arenas, `LEAN_ENV`) for a process that
 * must stay small, at a cost in peak throughput. `deno task start:lean` passes them; elsewhere pass
 * them yourself (`deno run --v8-flags=…`, or `DENO_V8_FLAGS=…` for the Docker image and the
 * compiled binary, and the environment).
 * Each JavaScript thread (the main thread and the projection thread) is a V8 isolate with these
 * limits.
 *
 * Left to itself V8 sizes its heaps from the machine's memory and lets them grow far past what is
 * live while allocation is fast: on a 24 GB machine the all-in-one reached 550–675 MiB resident at
 * 10k msg/s with 1,000 devices, with 60–150 MiB of it live (issue 18, `deno task bench memory`).
 * With these limits: 303–319 MiB, and 10,000 idle connections 305 MiB instead of 885 — but ingest
 * at full speed lost 15–30 % (`bench ingest --quick`, QoS 1: 12.3k–14.9k msg/s against 17.0k–17.5k
 * without, same machine and hour), which is why they are not the default.
 *
 * The limit is hard: a thread whose live data passes it ends the process (V8 out of memory; the log
 * is durable, a supervisor restarts it). Nothing in the platform holds that much by design
 * (streams, bounded batches and caches, the intake gate), but a very large fleet needs more.
 */
export const LEAN_V8_FLAGS = "--max-old-space-size=256,--max-semi-space-size=1";

/**
 * Environment of the lean profile. Deno allocates with glibc's malloc, which gives threads arenas
 * of their own (up to 8 per core) and keeps what they freed: buffers read on one thread and freed
 * on another stay resident. Two arenas (`bench memory --quick`, lean, two interleaved pairs): peak
 * 303/307 MiB vs 338/341, connected 177/183 vs 195/200; `bench ingest --quick` showed no
 * difference within its noise (three pairs).
 */
export const LEAN_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };
