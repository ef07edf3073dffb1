/**
 * The V8 heap settings every shipped way of starting the platform passes (`deno task start`,
 * the compiled binary, the Docker image, the benches' platform processes). Each JavaScript thread
 * (the main thread and the projection thread) is a V8 isolate with these limits.
 *
 * Why: left to itself V8 sizes its heaps from the machine's memory and lets them grow far past
 * what is live while allocation is fast — on a 24 GB machine the all-in-one reached 550–1,000 MiB
 * resident at 10k msg/s with ~60–150 MiB of it live (issue 18, `deno task bench memory`). A 1 MiB
 * young generation per semi-space and a 256 MiB old generation per isolate make V8 collect
 * sooner; measured at 10k msg/s with 1,000 devices: peak 319 MiB, same msg/s; 10,000 idle
 * connections: 305 MiB (was 885).
 *
 * The cost is a hard ceiling: a thread whose live data passes 256 MiB ends the process (V8 out of
 * memory; the log is durable, a supervisor restarts it). Nothing in the platform holds that much by
 * design (streams, bounded batches and caches, the intake gate), but a very large fleet (far beyond
 * 10,000 connections per process) needs more: raise it where the platform is started, e.g.
 * `deno run --v8-flags=--max-old-space-size=1024,--max-semi-space-size=1 …` (the last value given
 * wins).
 */
export const PLATFORM_V8_FLAGS = "--max-old-space-size=256,--max-semi-space-size=1";
