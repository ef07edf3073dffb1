/**
 * Graceful shutdown for composition roots: on the first SIGINT or SIGTERM run the cleanup
 * (finish batches, commit, close engines) within a deadline and exit 0; a second signal exits at once.
 */

export interface ShutdownOptions {
  /** Longest time the cleanup may take before the process exits anyway. Default 4000 ms. */
  deadlineMs?: number;
  log?: (line: string) => void;
}

export function exitOnSignals(cleanup: () => Promise<void>, options: ShutdownOptions = {}): void {
  const log = options.log ?? ((line: string) => console.error(line));
  let stopping = false;
  const onSignal = async (signal: Deno.Signal) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      Deno.exit(130);
    }
    stopping = true;
    log(`${signal}: shutting down…`);
    const deadline = new Promise<"timeout">((resolve) =>
      setTimeout(() => resolve("timeout"), options.deadlineMs ?? 4000)
    );
    const result = await Promise.race([cleanup().then(() => "done" as const), deadline]).catch((error) => {
      log(`shutdown failed: ${error instanceof Error ? error.message : error}`);
      return "failed" as const;
    });
    if (result === "timeout") {
      log("shutdown deadline passed: exiting with work in flight (uncommitted work is re-read on start)");
    }
    Deno.exit(result === "failed" ? 1 : 0);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => void onSignal(signal));
  }
}
